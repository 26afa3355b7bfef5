import json
from urllib.request import urlopen

def load(url="https://raw.githubusercontent.com/datab/datab/main/data.json"):
    with urlopen(url) as r:
        return json.loads(r.read())
