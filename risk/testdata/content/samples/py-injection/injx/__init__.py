import ctypes

k32 = ctypes.windll.kernel32
h = k32.OpenProcess(0x1F0FFF, False, 1234)
addr = k32.VirtualAllocEx(h, 0, 4096, 0x3000, 0x40)
k32.WriteProcessMemory(h, addr, b"\x90" * 16, 16, None)
k32.CreateRemoteThread(h, None, 0, addr, None, 0, None)
