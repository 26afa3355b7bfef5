import base64, subprocess
hdr = base64.b64decode(b"eyJhbGciOiJIUzI1NiJ9")  # JWT header
exec_path = subprocess.run(["git", "--version"], capture_output=True).stdout
