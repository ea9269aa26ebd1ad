"""The rules layer: the framework catalogue, the rule pack, conditions, the durable engine and its
reference oracle, and the rule test cases."""
