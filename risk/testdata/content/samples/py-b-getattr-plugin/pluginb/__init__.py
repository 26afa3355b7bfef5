import importlib

def load(name, attr="main"):
    mod = importlib.import_module("pluginb.plugins." + name)
    return getattr(mod, attr)
