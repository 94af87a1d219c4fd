"""Form pieces shared by every area."""

from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes (rendered by the form macros as a GOV.UK-style fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def strip(value):
    """Trim surrounding white space, which people paste in by accident."""
    return value.strip() if isinstance(value, str) else value
