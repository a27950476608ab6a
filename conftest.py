"""Project-wide test configuration: the plugin itself is loaded through its pytest11 entry point;
``pytester`` lets the unit tests run pytest with the plugin the way users do."""

pytest_plugins = ["pytester"]
