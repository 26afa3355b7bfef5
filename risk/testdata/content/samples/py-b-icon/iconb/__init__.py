import base64
ICON = b"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="

def save(path):
    with open(path, "wb") as f:
        f.write(base64.b64decode(ICON))
