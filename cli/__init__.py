"""The pxrules command line: a thin Typer layer over the `pxrules` library."""
