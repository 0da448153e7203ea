"""Small-group protection for counts of participants by stakeholder group or by school.

The rule, applied to one table of counts (the groups, or the schools, of one summary):

1. A row with at least one participant but fewer than the minimum N (MIN_GROUP_SIZE) is
   hidden as "small": it shows "fewer than N" and its counts move into a pooled row
   ("other groups").
2. Complementary suppression: while the pool is not safe, the shown row with the fewest
   participants is hidden as well ("complementary": shown as "not shown") and pooled. The
   pool is safe when it contains at least two rows and at least N participants, and when the
   published figures still leave every small row at least two possible values. A reader
   knows that each small row holds 1 to N - 1, that each complementary row holds N or
   more, and the pool's sum (the total minus the shown rows), so those bounds are what
   `small_row_is_ambiguous` checks. Without this step a single hidden row would be the
   pool, and the total minus the shown rows would reveal it.
3. When every row has been pooled and the pool is still not safe, the pool and the
   table's totals of participants and comments are hidden too, since the totals would
   then reveal it.
4. The same participants are counted in more than one table (by group and by school),
   so their total is one figure. When one table has to hide it, every other table is
   protected with hide_total: all its rows are pooled and hidden, since its shown rows
   and pool would add up to the total.

Rows with no participants are left out before the rule runs: a zero reveals no person.
Comment counts follow their row: a hidden row's comments are counted only in the pool.

NOTE: apart from the shared total of step 4, the tables are protected each on its own.
A row of one table is not checked against the rows of another, so a group's count and a
school's count may together narrow down how many of that group are at that school.
"""

import dataclasses

SMALL = "small"
COMPLEMENTARY = "complementary"


@dataclasses.dataclass
class Cell:
    """One row of a table before protection: a group or a school with its counts."""

    key: str
    label: str
    participants: int
    comments: int = 0


def small_row_is_ambiguous(small, complementary, pool_sum, min_size):
    """Return True when a small row of the pool could hold two or more values.

    small rows hold 1 to min_size - 1 participants each, complementary rows min_size or
    more, and all of them add up to pool_sum.
    """
    min_of_others = (small - 1) + complementary * min_size
    max_of_others = (small - 1) * (min_size - 1) if complementary == 0 else float("inf")
    lowest = max(1, pool_sum - max_of_others)
    highest = min(min_size - 1, pool_sum - min_of_others)
    return highest > lowest


def protect(cells, min_size, hide_total=False, hidden=()):
    """Apply the rule above; return a dict with rows, the pool and the total.

    hide_total pools and hides every row, as step 4 requires. hidden names rows that
    must be pooled from the start (as "complementary" when not small), because another
    table reveals them otherwise.

    rows: [{"key", "label", "participants", "comments", "suppressed", "reason"}] in the
    given order, with None for the counts of hidden rows and reason "small",
    "complementary" or None. pool: None when no row is hidden, else {"members": [labels],
    "participants", "comments", "suppressed"}. total: {"participants", "comments",
    "suppressed"}.
    """
    present = [cell for cell in cells if cell.participants > 0]
    reasons = {cell.key: SMALL for cell in present if cell.participants < min_size}
    for cell in present:
        if cell.key in hidden:
            reasons.setdefault(cell.key, COMPLEMENTARY)

    def pool_is_safe():
        pooled = [cell for cell in present if cell.key in reasons]
        pool_sum = sum(cell.participants for cell in pooled)
        small = sum(1 for reason in reasons.values() if reason == SMALL)
        return (
            len(pooled) >= 2
            and pool_sum >= min_size
            and small_row_is_ambiguous(small, len(pooled) - small, pool_sum, min_size)
        )

    if reasons:
        while not pool_is_safe():
            visible = [cell for cell in present if cell.key not in reasons]
            if not visible:
                break
            # The smallest visible row; among equals the last one, so the choice is stable.
            smallest = min(reversed(visible), key=lambda cell: cell.participants)
            reasons[smallest.key] = COMPLEMENTARY

    if hide_total:
        for cell in present:
            reasons.setdefault(cell.key, COMPLEMENTARY)

    rows = [
        {
            "key": cell.key,
            "label": cell.label,
            "participants": None if cell.key in reasons else cell.participants,
            "comments": None if cell.key in reasons else cell.comments,
            "suppressed": cell.key in reasons,
            "reason": reasons.get(cell.key),
        }
        for cell in present
    ]
    pool = None
    total_hidden = False
    if reasons:
        pooled = [cell for cell in present if cell.key in reasons]
        safe = pool_is_safe() and not hide_total
        total_hidden = not safe
        pool = {
            "members": [cell.label for cell in pooled],
            "participants": sum(cell.participants for cell in pooled) if safe else None,
            "comments": sum(cell.comments for cell in pooled) if safe else None,
            "suppressed": not safe,
        }
    total = {
        "participants": None if total_hidden else sum(cell.participants for cell in present),
        "comments": None if total_hidden else sum(cell.comments for cell in present),
        "suppressed": total_hidden,
    }
    return {"rows": rows, "pool": pool, "total": total}
