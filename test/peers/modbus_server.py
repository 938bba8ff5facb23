#!/usr/bin/python3
"""A real Modbus TCP server (Debian's python3-pymodbus) for tests.

usage: /usr/bin/python3 modbus_server.py PORT [REGISTERS_JSON]
  REGISTERS_JSON: {"holding": {"0": 2300, ...}, "input": {...}} wire addresses (0-based).
Prints "listening PORT" when ready (PORT 0 picks a free one). Reads commands on stdin:
  set holding|input ADDR VALUE [VALUE...]   -> prints "ok"
"""
import asyncio
import json
import socket
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartAsyncTcpServer

SIZE = 2000


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def block(values):
    # pymodbus's slave context adds 1 to wire addresses: wire address 0 reads values[1].
    words = [0] * (SIZE + 1)
    for addr, value in (values or {}).items():
        words[int(addr) + 1] = int(value) & 0xFFFF
    return ModbusSequentialDataBlock(0, words)


async def commands(slave):
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        line = await reader.readline()
        if not line:
            return
        parts = line.decode().split()
        if len(parts) >= 4 and parts[0] == "set":
            fx = 3 if parts[1] == "holding" else 4
            slave.setValues(fx, int(parts[2]), [int(v) & 0xFFFF for v in parts[3:]])
            print("ok", flush=True)
        else:
            print("error unknown command", flush=True)


async def main():
    port = int(sys.argv[1]) or free_port()
    regs = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    slave = ModbusSlaveContext(di=block({}), co=block({}), hr=block(regs.get("holding")), ir=block(regs.get("input")))
    context = ModbusServerContext(slaves=slave, single=True)
    server = asyncio.create_task(StartAsyncTcpServer(context=context, address=("127.0.0.1", port)))
    await asyncio.sleep(0.3)
    print(f"listening {port}", flush=True)
    await commands(slave)
    server.cancel()


asyncio.run(main())
