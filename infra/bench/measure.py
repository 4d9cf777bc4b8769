"""The bench's measurements, each on fresh processes under the runtime API of runtime_api.py.

- `warm_store`: unmeasured callbacks and repeats through the callback and the peer, so
  DynamoDB Local's JIT has compiled the paths of both kinds of request (the callback's
  transaction, the peer's single-item writes) before anything is timed.
- `requests`: the callback (and the peer) with DynamoDB and SES behind counting proxies;
  for each invocation, the requests that arrived between the event being handed out and
  the reply being posted (the callback's path), and those after the reply.
- `cold`: N fresh processes, each timed from exec to its first `/next` (init), through
  its first invocation, and through a second one like it.
- `warm`: one process, N invocations after a warm-up, each timed from hand-out to reply,
  with the process's user+system CPU before and after the N. The store floor gets the
  callback's event (one conditional PutItem each), the empty runtime a scheduled event.
"""

import time

import workload
from counting_proxy import CountingProxy
from runtime_api import Function

# Background work (mail sending after the reply) a series waits for before reading CPU.
SETTLE_S = 0.5


class Bench:
    def __init__(self, commands, dynamodb_url, ses_url, log_dir):
        self.commands = commands  # name -> (argv, cwd)
        self.dynamodb_url, self.ses_url, self.log_dir = dynamodb_url, ses_url, log_dir
        self._carts = []

    def function(self, name, dynamodb_url=None, ses_url=None):
        argv, cwd = self.commands[name]
        env = workload.function_env(dynamodb_url or self.dynamodb_url, ses_url or self.ses_url)
        return Function(name, argv, env, self.log_dir / f"{name}.log", cwd=cwd)

    def make_carts(self, count, warm_n):
        """`count` real carts, made through one purchase-token process; its last `warm_n`
        invocations (DynamoDB Local's JIT warmed up by the ones before) are its warm series."""
        maker = self.function("purchase-token").start()
        try:
            timings = []
            for _ in range(count):
                invocation = maker.invoke(workload.purchase_event())
                self._carts.append(workload.cart_id_of(invocation))
                timings.append(invocation.seconds)
            return {"latencies": timings[1:][-warm_n:], "peak_rss_kib": maker.peak_rss_kib()}
        finally:
            maker.stop()

    def cart(self):
        return self._carts.pop()

    def warm_store(self, name, runs):
        """`runs` first callbacks on fresh carts and a repeat of each, on one process,
        unmeasured: real DynamoDB has no JIT to warm, DynamoDB Local's JVM does."""
        function = self.function(name).start()
        try:
            events = [workload.callback_event(self.cart()) for _ in range(runs)]
            for event in events + events:
                workload.check_paid_page(function.invoke(event))
        finally:
            function.stop()

    def first_event(self, name):
        if name in ("callback", "peer"):
            return workload.callback_event(self.cart())
        if name == "purchase-token":
            return workload.purchase_event()
        if name == "store-floor":  # it stores the body whatever the cart; no cart is used up
            return workload.callback_event("floor")
        return workload.scheduled_event()

    def requests(self, name, rounds):
        """Per first callback and per repeat: the requests on the callback's path (and after
        its reply), over `rounds` carts, after one warm-up callback."""
        dynamodb = CountingProxy("dynamodb", self.dynamodb_url)
        ses = CountingProxy("ses", self.ses_url)
        function = self.function(name, dynamodb.url, ses.url).start()
        try:
            function.invoke(self.first_event(name))
            during_init = [r for r in dynamodb.requests + ses.requests if r.at <= function.init_done]
            firsts = [function.invoke(workload.callback_event(self.cart())) for _ in range(rounds)]
            repeats = [function.invoke(f.body) for f in firsts]
            time.sleep(SETTLE_S)
            ends = [i.handed for i in firsts[1:] + repeats] + [time.perf_counter()]
            windows = list(zip(firsts + repeats, ends))
            seen = []
            for invocation, next_start in windows:
                workload.check_paid_page(invocation)
                on_path = dynamodb.between(invocation.handed, invocation.answered)
                on_path += ses.between(invocation.handed, invocation.answered)
                after = dynamodb.between(invocation.answered, next_start)
                after += ses.between(invocation.answered, next_start)
                seen.append((sorted(on_path, key=lambda r: r.at), sorted(after, key=lambda r: r.at)))
            return {"init": during_init, "first": seen[:rounds], "repeat": seen[rounds:]}
        finally:
            function.stop()
            dynamodb.stop()
            ses.stop()

    def cold(self, name, runs):
        """Each fresh process's init, its first invocation and then a second like it: the
        second, on a store and emulator exactly as warm, is what the first is compared with."""
        samples = []
        for _ in range(runs):
            function = self.function(name).start()
            try:
                first, second = (function.invoke(self.first_event(name)) for _ in range(2))
                if name in ("callback", "peer"):
                    workload.check_paid_page(first)
                    workload.check_paid_page(second)
                samples.append(
                    {
                        "init": function.init_done - function.started,
                        "first": first.seconds,
                        "second": second.seconds,
                        "total": first.answered - function.started,
                        "peak_rss_kib": function.peak_rss_kib(),
                    }
                )
            finally:
                function.stop()
        return samples

    def warm_callbacks(self, name, runs):
        """N first callbacks on fresh carts, then a repeat of each, on one warm process."""
        function = self.function(name).start()
        try:
            workload.check_paid_page(function.invoke(workload.callback_event(self.cart())))
            events = [workload.callback_event(self.cart()) for _ in range(runs)]
            first = self._series(function, events, workload.check_paid_page)
            repeat = self._series(function, events, workload.check_paid_page)
            return {"first": first, "repeat": repeat, "peak_rss_kib": function.peak_rss_kib()}
        finally:
            function.stop()

    def warm_series(self, name, runs):
        """N invocations of the event `first_event` gives a function that needs no cart."""
        function = self.function(name).start()
        try:
            function.invoke(self.first_event(name))
            events = [self.first_event(name) for _ in range(runs)]
            series = self._series(function, events, workload.check_ok)
            return {"first": series, "peak_rss_kib": function.peak_rss_kib()}
        finally:
            function.stop()

    @staticmethod
    def _series(function, events, check):
        time.sleep(SETTLE_S)
        cpu_before = function.cpu_seconds()
        latencies = []
        for event in events:
            invocation = function.invoke(event)
            check(invocation)
            latencies.append(invocation.seconds)
        time.sleep(SETTLE_S)
        cpu = function.cpu_seconds() - cpu_before
        return {"latencies": latencies, "cpu_per_invocation": cpu / len(events)}
