"""`pxrules serve`: the governance workspace in the browser, over the same library the command line uses."""
