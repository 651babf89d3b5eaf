"""Masking of identity document numbers for users outside the personal data
group: the first two and the last three characters stay, the separators too."""

MASK = "*"
KEPT_HEAD = 2
KEPT_TAIL = 3


def mask_document_number(number):
    """``45 09 612345`` → ``45 ** ***345``; short numbers keep their last
    character only; empty stays empty."""
    if not number:
        return number
    positions = [index for index, char in enumerate(number) if char.isalnum()]
    if len(positions) > KEPT_HEAD + KEPT_TAIL:
        kept = set(positions[:KEPT_HEAD] + positions[-KEPT_TAIL:])
    else:
        kept = set(positions[-1:])
    return "".join(
        char if index in kept or not char.isalnum() else MASK
        for index, char in enumerate(number)
    )
