"""The board's side: self-assessments in the framework's layout, the comparison with the evidence, the trend."""
