"""Independent evaluation of a segment's condition tree on one subscriber.

Written from the rules the users read (readme/USAGE.md), not from the SQL: an
unknown figure never matches a comparison, "differs from" / "is none of" /
"is false" match it; an empty group is ignored; no condition matches everybody.
"""


def evaluate_leaf(node, fact):
    kind, operator, value = node["kind"], node["operator"], node.get("value")
    if kind == "region":
        inside = bool(fact["zones"] & value)
        return inside if operator == "in" else not inside
    if kind == "option":
        inside = bool(fact["options"] & value)
        return inside if operator == "in" else not inside
    if kind == "selection":
        same = fact["segment"] is not None and fact["segment"] == value
        return same if operator == "=" else not same
    figure = fact["metric"].get(node["field"])
    if kind == "tariff":
        inside = figure is not None and figure in value
        return inside if operator == "in" else not inside
    if kind == "boolean":
        return bool(figure) if operator == "set" else not figure
    if kind == "text":
        same = figure is not None and figure == value
        return same if operator == "=" else not same
    if figure is None:
        return False
    low, high = sorted((value, node["value_to"]))
    return {
        "=": figure == value,
        "!=": figure != value,
        ">": figure > value,
        ">=": figure >= value,
        "<": figure < value,
        "<=": figure <= value,
        "between": low <= figure <= high,
    }[operator]


def evaluate_nodes(nodes, match, fact):
    """True/False, or None when no node has an effect (all empty groups)."""
    results = []
    for node in nodes:
        if node["group"]:
            result = evaluate_nodes(node["children"], node["match"], fact)
        else:
            result = evaluate_leaf(node, fact)
        if result is not None:
            results.append(result)
    if not results:
        return None
    return all(results) if match == "all" else any(results)


def evaluate_segment(spec, fact):
    result = evaluate_nodes(spec["nodes"], spec["match"], fact)
    return True if result is None else result
