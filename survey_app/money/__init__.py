"""Recognising people's time: recording, approval and holds, rates and budgets, and the rows of a
finance return."""
