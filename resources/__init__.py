"""SlipStation's bundled resources (fonts with their licences, icons, sample orders).

This folder stays at the top of the repository, as the product brief lays it out; the build maps
it into the package as `slipstation._resources` (see pyproject.toml), so wheels, sdists, editable
installs and the PyInstaller bundle all carry it and `importlib.resources` finds it in each.
"""
