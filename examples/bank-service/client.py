"""A Python client of bank.v1.AccountService, served by a casty cluster (examples/bank-service/server.ts).

    python3 -m grpc_tools.protoc -Iexamples/bank-service/proto --python_out=STUBS --grpc_python_out=STUBS bank/v1/bank.proto
    python3 examples/bank-service/client.py STUBS HOST:PORT[,HOST:PORT...]

Uses the first node, and the next one when a node answers UNAVAILABLE with the trailer
casty-not-processed (it did not take the call: safe to send again). Prints one line per step; after
"leave now" it keeps depositing until a line arrives on stdin (a node has left) and 20 more, then
checks that every confirmed deposit is in the balances.
"""
import select
import sys

sys.path.insert(0, sys.argv[1])

import grpc  # noqa: E402
from bank.v1 import bank_pb2, bank_pb2_grpc  # noqa: E402

ACCOUNTS = [f"py-{i}" for i in range(10)]


class Bank:
    """Stubs for each node; a call moves on to the next node while the current one does not take it."""

    def __init__(self, addresses):
        self.stubs = [bank_pb2_grpc.AccountServiceStub(grpc.insecure_channel(a)) for a in addresses]
        self.current = 0
        self.moved = 0

    def call(self, method, request):
        for _ in range(len(self.stubs)):
            try:
                return getattr(self.stubs[self.current], method)(request, timeout=5)
            except grpc.RpcError as error:
                if error.code() != grpc.StatusCode.UNAVAILABLE or ("casty-not-processed", "1") not in (error.trailing_metadata() or ()):
                    raise
                self.current = (self.current + 1) % len(self.stubs)
                self.moved += 1
        raise RuntimeError("no node takes the call")

    def stub(self):
        return self.stubs[self.current]


def error_of(thunk):
    try:
        thunk()
        return "none"
    except grpc.RpcError as error:
        return error.code().name


def main():
    bank = Bank(sys.argv[2].split(","))

    for account_id in ACCOUNTS:
        bank.call("Deposit", bank_pb2.DepositRequest(account_id=account_id, amount=100))
    total = sum(bank.call("GetBalance", bank_pb2.GetBalanceRequest(account_id=a)).balance for a in ACCOUNTS)
    print(f"deposits: {len(ACCOUNTS)} accounts, total {total}")

    reply = bank.call("Withdraw", bank_pb2.WithdrawRequest(account_id="py-0", amount=30))
    print(f"withdraw: balance {reply.balance}")
    print("error: " + error_of(lambda: bank.stub().Withdraw(bank_pb2.WithdrawRequest(account_id="py-0", amount=1000), timeout=5)))
    print("error: " + error_of(lambda: bank.stub().Deposit(bank_pb2.DepositRequest(account_id="py-0", amount=0), timeout=5)))

    # server streaming: the account's operations
    for op in bank.stub().History(bank_pb2.HistoryRequest(account_id="py-0"), timeout=5):
        print(f"history: {op.amount:+d} -> {op.balance}")
    # client streaming: many deposits in one call
    batch = bank.stub().DepositBatch(iter([bank_pb2.DepositBatchRequest(account_id="py-1", amount=n) for n in (1, 2, 3)]), timeout=5)
    print(f"batch: {batch.count} deposits, total {batch.total}")
    # bidi: each operation answered with the new balance
    ops = [bank_pb2.OperateRequest(account_id="py-2", amount=n) for n in (10, -5)]
    print("operate: " + ", ".join(str(r.balance) for r in bank.stub().Operate(iter(ops), timeout=5)))

    # a node leaves while the deposits go on: each confirmed one must be in the balances; one whose
    # answer was lost (its node went away with it) may or may not be
    expected = {a: bank.call("GetBalance", bank_pb2.GetBalanceRequest(account_id=a)).balance for a in ACCOUNTS}
    uncertain = {a: 0 for a in ACCOUNTS}
    print("leave now", flush=True)
    sent = 0
    left = False
    after = 0
    while after < 20:
        account_id = ACCOUNTS[sent % len(ACCOUNTS)]
        sent += 1
        try:
            bank.call("Deposit", bank_pb2.DepositRequest(account_id=account_id, amount=1))
            expected[account_id] += 1
        except grpc.RpcError as error:
            if error.code() not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                raise
            uncertain[account_id] += 1
        if left:
            after += 1
        elif select.select([sys.stdin], [], [], 0)[0]:
            left = True
    balances = {a: bank.call("GetBalance", bank_pb2.GetBalanceRequest(account_id=a)).balance for a in ACCOUNTS}
    wrong = {a: balances[a] for a in ACCOUNTS if not expected[a] <= balances[a] <= expected[a] + uncertain[a]}
    print(f"after the leave: {sent} deposits, {sum(uncertain.values())} unanswered, {bank.moved} moved to another node")
    print("balances: " + ("every confirmed deposit is in" if not wrong else f"wrong: {wrong}, expected {expected}"))

if __name__ == "__main__":
    main()
