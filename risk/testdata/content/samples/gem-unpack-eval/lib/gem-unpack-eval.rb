# Ruby hidden as base64 and evaluated when the gem is required.
PAYLOAD = "cHV0cyAnbm90IGEgcGF5bG9hZCc="
eval(PAYLOAD.unpack1('m'))
