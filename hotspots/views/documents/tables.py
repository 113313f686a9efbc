"""Tables as display text, shared by the HTML and PDF pages of every document."""

from __future__ import annotations

import pandas as pd


def display(table: pd.DataFrame) -> pd.DataFrame:
    """Every cell as display text: integers with separators, other numbers to 2 decimals.

    Booleans read "yes" / "no", dates ``YYYY-MM-DD``, missing values "–".

    Examples
    --------
    >>> display(pd.DataFrame({"n": [1234], "x": [0.5]})).iloc[0].tolist()
    ['1,234', '0.50']
    >>> display(pd.DataFrame({"n": [7]}, index=[5])).iloc[0].tolist()  # rows of a group
    ['7']
    """
    out = {}
    for col in table.columns:
        values = table[col]
        if pd.api.types.is_bool_dtype(values):
            text = values.map({True: "yes", False: "no"})
        elif pd.api.types.is_integer_dtype(values):
            text = values.map("{:,}".format, na_action="ignore")
        elif pd.api.types.is_float_dtype(values):
            text = values.map("{:,.2f}".format, na_action="ignore")
        elif pd.api.types.is_datetime64_any_dtype(values):
            text = values.dt.strftime("%Y-%m-%d")
        else:
            text = values.map(str, na_action="ignore")
        # by position: a table whose index does not start at 0 (a group of rows) keeps its cells
        out[str(col)] = text.astype(object).where(text.notna(), "–").to_numpy()
    return pd.DataFrame(out, index=range(len(table)))
