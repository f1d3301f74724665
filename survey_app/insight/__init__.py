"""What organisers learn and show: checklist results, the action log and notes, suggestions and
votes, whose voices are heard, and the support plan."""
