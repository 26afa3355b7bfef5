import os
import json

def config():
    path = os.path.expanduser("~/.config/configb/settings.json")
    with open(path) as f:
        return json.load(f)
