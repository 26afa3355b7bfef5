from setuptools import setup
exec(open("verb/version.py").read())
setup(name="verb", version=__version__)
