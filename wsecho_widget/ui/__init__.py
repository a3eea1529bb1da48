"""What a person sees: the panels, their controls, the log and live view with their page code.

The only layer that imports ipywidgets and anywidget.
"""
