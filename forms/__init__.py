"""WTForms form classes, one module per audience. No views and no database access here."""
