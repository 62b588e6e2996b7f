"""The one thing pyproject.toml cannot say: resources/ at the top of the repository is installed
as the package `slipstation._resources` (its folders as data-only subpackages), beside the code
found under src/. Which files each carries is `package-data` in pyproject.toml."""

from setuptools import find_namespace_packages, find_packages, setup

RESOURCES = "slipstation._resources"

setup(
    packages=[*find_packages("src"), RESOURCES,
              *(f"{RESOURCES}.{folder}" for folder in find_namespace_packages("resources"))],
    package_dir={"": "src", RESOURCES: "resources"},
)
