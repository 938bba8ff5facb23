#!/usr/bin/python3
"""A real Modbus device for tests and benchmarks (Debian's python3-pymodbus 3.0.0rc1).

usage: /usr/bin/python3 modbus_device.py CONFIG_JSON_FILE

CONFIG: {
  "transport": "tcp" | "rtu",
  "port": 0,                       # tcp: 0 picks a free port
  "device": "/path/to/pty",        # rtu: one end of a socat pty pair
  "baudrate": 9600,
  "dropEvery": 0,                  # tcp: close the connection instead of answering every Nth request
  "framer": "socket" | "rtu",      # tcp: "rtu" sends RTU frames over TCP, like a serial server
  "units": {"1": {"holding": {"0": 2300}, "input": {}, "coil": {}, "discrete": {},
                  "maxRead": 125}}  # addresses not listed answer exception 2 (illegal data address);
}                                   # reads longer than maxRead are refused with exception 2 too.
Unit ids not listed stay silent on RTU (a device that is not there). Wire addresses are 0-based.
Prints "listening PORT" (tcp) or "listening DEVICE" (rtu) when ready. Commands on stdin:
  set UNIT holding|input|coil|discrete ADDR VALUE [VALUE...]   -> "ok"
  count                                                          -> "requests N"
"""
import asyncio
import json
import logging
import socket
import sys

from pymodbus.datastore import ModbusServerContext, ModbusSlaveContext
from pymodbus.datastore.store import BaseModbusDataBlock
from pymodbus.server import StartAsyncSerialServer, StartAsyncTcpServer
from pymodbus.server.async_io import ModbusConnectedRequestHandler
from pymodbus.transaction import ModbusRtuFramer

STATE = {"requests": 0, "drop_every": 0}


class SparseBlock(BaseModbusDataBlock):
    """Only the listed addresses exist, like a real device's register map with holes."""

    def __init__(self, values, max_read):
        self.values = {int(k): int(v) & 0xFFFF for k, v in (values or {}).items()}
        self.max_read = max_read
        self.default_value = 0
        self.address = 0

    def validate(self, address, count=1):
        if count > self.max_read:
            return False
        return all((address + i) in self.values for i in range(count))

    def getValues(self, address, count=1):
        return [self.values[address + i] for i in range(count)]

    def setValues(self, address, values):
        if not isinstance(values, list):
            values = [values]
        for i, v in enumerate(values):
            self.values[address + i] = int(v) & 0xFFFF


class DroppingHandler(ModbusConnectedRequestHandler):
    def execute(self, request, *addr):
        STATE["requests"] += 1
        every = STATE["drop_every"]
        if every and STATE["requests"] % every == 0:
            self.transport.close()
            return
        super().execute(request, *addr)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


FX = {"coil": 1, "discrete": 2, "holding": 3, "input": 4}


async def commands(slaves):
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        line = await reader.readline()
        if not line:
            return
        parts = line.decode().split()
        if not parts:
            continue
        if len(parts) >= 5 and parts[0] == "set" and int(parts[1]) in slaves and parts[2] in FX:
            slaves[int(parts[1])].setValues(FX[parts[2]], int(parts[3]), [int(v) for v in parts[4:]])
            print("ok", flush=True)
        elif parts[:1] == ["count"]:
            print(f"requests {STATE['requests']}", flush=True)
        else:
            print("error unknown command", flush=True)


async def main():
    # pymodbus logs every exception response and dropped stream as an error; tests expect those.
    logging.getLogger("pymodbus").setLevel(logging.CRITICAL)
    with open(sys.argv[1], encoding="utf-8") as f:
        cfg = json.load(f)
    slaves = {}
    for unit, regs in cfg["units"].items():
        max_read = int(regs.get("maxRead", 2000))
        slaves[int(unit)] = ModbusSlaveContext(
            co=SparseBlock(regs.get("coil"), max_read),
            di=SparseBlock(regs.get("discrete"), max_read),
            hr=SparseBlock(regs.get("holding"), max_read),
            ir=SparseBlock(regs.get("input"), max_read),
            zero_mode=True,
        )
    context = ModbusServerContext(slaves=slaves, single=False)
    if cfg.get("transport", "tcp") == "tcp":
        STATE["drop_every"] = int(cfg.get("dropEvery", 0))
        port = int(cfg.get("port", 0)) or free_port()
        server = asyncio.create_task(
            StartAsyncTcpServer(
                context=context,
                address=("127.0.0.1", port),
                handler=DroppingHandler,
                **({"framer": ModbusRtuFramer} if cfg.get("framer") == "rtu" else {}),
            )
        )
        where = port
    else:
        server = asyncio.create_task(
            StartAsyncSerialServer(
                context=context,
                framer=ModbusRtuFramer,
                port=cfg["device"],
                baudrate=int(cfg.get("baudrate", 9600)),
                ignore_missing_slaves=True,
            )
        )
        where = cfg["device"]
    await asyncio.sleep(0.3)
    if server.done():
        server.result()
    print(f"listening {where}", flush=True)
    await commands(slaves)
    server.cancel()


asyncio.run(main())
