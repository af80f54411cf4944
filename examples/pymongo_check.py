"""pymongo against the mwatch playground: discovery, CRUD, change streams at each scope,
images, resume tokens, expanded events, stage errors, an idle client's hellos and fault
injection. Each check prints [ok] or [FAIL] with what it saw; the exit code is 0 when all pass.

    cargo run --release -- playground --port 27018 --workload &
    pip install pymongo
    python3 examples/pymongo_check.py 27018

Not part of CI (which needs no Python); run it when the playground changes.
"""
import sys, time
import pymongo
from pymongo import monitoring
from pymongo.errors import PyMongoError

port = int(sys.argv[1])
RS = f"mongodb://127.0.0.1:{port}/?replicaSet=rs0"
DIRECT = f"mongodb://127.0.0.1:{port}/?directConnection=true"
results = []

def check(name, fn):
    try:
        detail = fn()
        results.append((name, "ok", detail))
    except Exception as e:  # report and go on
        results.append((name, "FAIL", f"{type(e).__name__}: {e}"))

class Heartbeats(monitoring.ServerHeartbeatListener):
    def __init__(self): self.started_n = 0; self.failures = []
    def started(self, e): self.started_n += 1
    def succeeded(self, e): pass
    def failed(self, e): self.failures.append(str(e.reply))

class Pool(monitoring.ConnectionPoolListener):
    def __init__(self): self.created = 0
    def connection_created(self, e): self.created += 1
    def pool_created(self, e): pass
    def pool_ready(self, e): pass
    def pool_cleared(self, e): pass
    def pool_closed(self, e): pass
    def connection_ready(self, e): pass
    def connection_closed(self, e): pass
    def connection_check_out_started(self, e): pass
    def connection_check_out_failed(self, e): pass
    def connection_checked_out(self, e): pass
    def connection_checked_in(self, e): pass

def next_n(stream, n, timeout=10):
    out, deadline = [], time.time() + timeout
    while len(out) < n and time.time() < deadline:
        c = stream.try_next()
        if c is not None:
            out.append(c)
    return out

rs = pymongo.MongoClient(RS, serverSelectionTimeoutMS=5000)

def discovery_rs():
    rs.admin.command("ping")
    td = rs.topology_description
    assert td.topology_type_name == "ReplicaSetWithPrimary", td.topology_type_name
    return f"{td.topology_type_name}, primary={rs.primary}, version={rs.server_info()['version']}"
check("discovery replicaSet=rs0", discovery_rs)

def discovery_direct():
    c = pymongo.MongoClient(DIRECT, serverSelectionTimeoutMS=5000)
    c.admin.command("ping")
    t = c.topology_description.topology_type_name
    doc = c.pm.direct.find_one({})  # a read with $readPreference primaryPreferred
    c.close()
    assert t == "Single", t
    return t
check("discovery directConnection=true", discovery_direct)

def crud():
    coll = rs.pm.crud
    coll.drop()
    coll.insert_one({"_id": 1, "n": 1, "tags": ["a"]})
    coll.insert_many([{"_id": i, "n": i, "tags": []} for i in range(2, 11)])
    assert coll.find_one({"_id": 1})["n"] == 1
    got = [d["_id"] for d in coll.find({"n": {"$gte": 3}}, {"n": 1}).sort("n", -1).skip(1).limit(3)]
    assert got == [9, 8, 7], got
    r = coll.update_one({"_id": 1}, {"$set": {"x.y": 1}, "$inc": {"n": 5}, "$push": {"tags": "b"}})
    assert (r.matched_count, r.modified_count) == (1, 1)
    r = coll.update_many({"n": {"$lt": 5}}, {"$unset": {"tags": ""}})
    r = coll.update_one({"_id": 99}, {"$set": {"n": 99}}, upsert=True)
    assert r.upserted_id == 99
    coll.replace_one({"_id": 2}, {"replaced": True})
    doc = coll.find_one_and_update({"_id": 3}, {"$inc": {"n": 1}}, return_document=pymongo.ReturnDocument.AFTER)
    assert doc["n"] == 4, doc
    assert coll.delete_one({"_id": 4}).deleted_count == 1
    assert coll.delete_many({"n": {"$gt": 8}}).deleted_count >= 2
    est = coll.estimated_document_count()
    coll.create_index("n")
    names = sorted(i["name"] for i in coll.list_indexes())
    dbs = rs.list_database_names()
    colls = rs.pm.list_collection_names()
    batch = list(coll.find({}, batch_size=2))  # getMore on a find cursor
    return f"estimated_document_count={est}, indexes={names}, dbs={dbs}, pm colls={colls}, find with batch_size=2 -> {len(batch)} docs"
check("CRUD", crud)

def count_documents():
    n = rs.pm.crud.count_documents({})
    m = rs.pm.crud.count_documents({"n": {"$gte": 5}}, skip=1, limit=2)
    assert n == rs.pm.crud.estimated_document_count() and m == 2, (n, m)
    return f"count_documents({{}})={n}, with filter/skip/limit={m}"
check("count_documents (aggregate $match/$group)", count_documents)

def watch_scopes():
    coll = rs.pm.w
    with coll.watch() as cs, rs.pm.watch() as ds, rs.watch() as cl:
        coll.insert_one({"_id": 1, "v": 1})
        coll.update_one({"_id": 1}, {"$set": {"v": 2}, "$unset": {"zz": ""}})
        coll.replace_one({"_id": 1}, {"v": 3})
        coll.delete_one({"_id": 1})
        rs.pm.other.insert_one({"o": 1})
        coll.drop()
        c_ops = [e["operationType"] for e in next_n(cs, 6)]
        # the workload writes to shop: filter the cluster stream to pm
        d_ops = [e["operationType"] for e in next_n(ds, 6)]
        cl_ops = [e["operationType"] for e in next_n(cl, 60) if e["ns"]["db"] == "pm"][:6]
        alive = cs.alive
    assert c_ops == ["insert", "update", "replace", "delete", "drop", "invalidate"], c_ops
    assert d_ops == ["insert", "update", "replace", "delete", "insert", "drop"], d_ops
    assert cl_ops == ["insert", "update", "replace", "delete", "insert", "drop"], cl_ops
    assert not alive
    return f"collection {c_ops}; database {d_ops}; cluster {cl_ops}"
check("watch at collection/database/cluster scope", watch_scopes)

def update_lookup():
    coll = rs.pm.ul
    with coll.watch(full_document="updateLookup") as cs:
        coll.insert_one({"_id": 1, "v": 1})
        coll.update_one({"_id": 1}, {"$inc": {"v": 1}})
        ev = next_n(cs, 2)
    assert ev[1]["fullDocument"] == {"_id": 1, "v": 2}, ev[1]
    return f"update fullDocument={ev[1]['fullDocument']}, updateDescription={ev[1]['updateDescription']}"
check('full_document="updateLookup"', update_lookup)

def pre_images():
    orders = rs.shop.orders
    opts = [c for c in rs.shop.list_collections() if c["name"] == "orders"][0]["options"]
    with orders.watch([{"$match": {"operationType": {"$in": ["update", "delete"]}}}],
                      full_document="required", full_document_before_change="required") as cs:
        ev = next_n(cs, 3, timeout=20)
    assert ev, "no update/delete on shop.orders within 20 s"
    for e in ev:
        assert isinstance(e["fullDocumentBeforeChange"], dict), e
    return f"options={opts}; {len(ev)} events: " + ", ".join(
        f"{e['operationType']} before.status={e['fullDocumentBeforeChange'].get('status')}" for e in ev)
check("full_document_before_change on shop.orders", pre_images)

def resume_after():
    coll = rs.pm.ra
    with coll.watch() as cs:
        coll.insert_many([{"n": i} for i in range(10)])
        ev = next_n(cs, 10)
    with coll.watch(resume_after=ev[3]["_id"]) as cs2:
        got = [e["fullDocument"]["n"] for e in next_n(cs2, 6)]
        extra = next_n(cs2, 1, timeout=1.5)
    assert got == list(range(4, 10)) and not extra, (got, extra)
    # the PBRT after a quiet batch is also accepted
    with coll.watch() as cs3:
        cs3.try_next()
        pbrt = cs3.resume_token
    coll.insert_one({"n": 10})
    with coll.watch(resume_after=pbrt) as cs4:
        got2 = [e["fullDocument"]["n"] for e in next_n(cs4, 1)]
    assert got2 == [10], got2
    return f"after event 3: {got}; after a PBRT: {got2}"
check("resume_after (event token, PBRT)", resume_after)

def start_after():
    coll = rs.pm.sa
    coll.insert_one({"n": 0})
    with coll.watch() as cs:
        coll.drop()
        ev = next_n(cs, 2)
    assert [e["operationType"] for e in ev] == ["drop", "invalidate"], ev
    try:
        with coll.watch(resume_after=ev[1]["_id"]) as bad:
            bad.try_next()
        refused = "not refused"
    except PyMongoError as e:
        refused = f"resume_after refused: code {e.code}"
    with coll.watch(start_after=ev[1]["_id"]) as cs2:
        coll.insert_one({"n": 1})
        got = [e["fullDocument"]["n"] for e in next_n(cs2, 1)]
    assert got == [1], got
    return f"{refused}; start_after -> {got}"
check("start_after an invalidate", start_after)

def start_at_operation_time():
    coll = rs.pm.sat
    coll.insert_many([{"n": i} for i in range(3)])
    from bson import Timestamp
    with coll.watch(start_at_operation_time=Timestamp(0, 1)) as cs:
        got = [e["fullDocument"]["n"] for e in next_n(cs, 3)]
    assert got == [0, 1, 2], got
    return str(got)
check("start_at_operation_time", start_at_operation_time)

def expanded():
    db = rs.pm
    with db.watch(show_expanded_events=True) as cs:
        db.create_collection("exp1")
        db.exp1.create_index("a")
        db.command("collMod", "exp1", changeStreamPreAndPostImages={"enabled": True})
        db.exp1.drop_index("a_1")
        db.exp1.rename("exp2")
        db.exp2.drop()
        ops = [e["operationType"] for e in next_n(cs, 6)]
    assert ops == ["create", "createIndexes", "modify", "dropIndexes", "rename", "drop"], ops
    return str(ops)
check("show_expanded_events", expanded)

def stage_errors():
    out = []
    for pipeline in ([{"$group": {"_id": None}}], [{"$bogus": {}}]):
        try:
            with rs.pm.x.watch(pipeline) as cs:
                cs.try_next()
            out.append("accepted")
        except PyMongoError as e:
            out.append(f"{e.code}")
    assert out == ["20", "40324"], out
    return out
check("stage errors", stage_errors)

def idle():
    hb, pool = Heartbeats(), Pool()
    c = pymongo.MongoClient(RS, event_listeners=[hb, pool])
    c.admin.command("ping")
    before = server_hellos()
    time.sleep(10)
    after = server_hellos()
    c.close()
    server = "n/a" if before is None else after - before
    assert hb.started_n < 50
    return f"10 s idle: {hb.started_n} heartbeats (client side), {pool.created} pool connections, server-side hellos during the 10 s: {server}"

def server_hellos():
    try:
        s = rs.admin.command("serverStatus")
        m = s["metrics"]["commands"]
        return sum(m.get(k, {}).get("total", 0) for k in ("hello", "isMaster", "ismaster"))
    except PyMongoError:
        return None
check("idle connection 10 s", idle)

class Aggregates(monitoring.CommandListener):
    def __init__(self): self.n = 0
    def started(self, e):
        if e.command_name == "aggregate": self.n += 1
    def succeeded(self, e): pass
    def failed(self, e): pass

def faults():
    out = []
    for name, fp in [
        ("failCommand closeConnection", {"configureFailPoint": "failCommand", "mode": {"times": 1},
            "data": {"failCommands": ["getMore"], "closeConnection": True}}),
        ("failCommand errorCode 6 + ResumableChangeStreamError label", {"configureFailPoint": "failCommand", "mode": {"times": 2},
            "data": {"failCommands": ["getMore"], "errorCode": 6, "errorLabels": ["ResumableChangeStreamError"]}}),
        ("failGetMoreAfterCursorCheckout 10107", {"configureFailPoint": "failGetMoreAfterCursorCheckout", "mode": {"times": 1},
            "data": {"errorCode": 10107}}),
    ]:
        aggs = Aggregates()
        c = pymongo.MongoClient(RS, event_listeners=[aggs])
        coll = c.pm["faults_" + str(len(out))]
        with coll.watch() as cs:
            coll.insert_many([{"n": i} for i in range(5)])
            first = [e["fullDocument"]["n"] for e in next_n(cs, 5)]
            c.admin.command(fp)
            for i in range(5, 10):
                coll.insert_one({"n": i})
            after = [e["fullDocument"]["n"] for e in next_n(cs, 5)]
        c.close()
        assert first == list(range(5)) and after == list(range(5, 10)), (first, after)
        assert aggs.n >= 2, f"no resume ({aggs.n} aggregates)"
        out.append(f"{name}: events {after}, {aggs.n} aggregates (resumed)")
    # Without the label, failCommand errors are not resumable (as with MongoDB).
    c = pymongo.MongoClient(RS)
    coll = c.pm.faults_unlabelled
    with coll.watch() as cs:
        c.admin.command({"configureFailPoint": "failCommand", "mode": {"times": 1},
                         "data": {"failCommands": ["getMore"], "errorCode": 6}})
        try:
            cs.try_next()
            out.append("unlabelled: NOT raised")
        except PyMongoError as e:
            out.append(f"unlabelled errorCode 6: raised {type(e).__name__} code {e.code}")
    c.close()
    return "; ".join(out)
check("fault injection with resume", faults)


rs.close()
for name, status, detail in results:
    print(f"[{status}] {name}: {detail}")
sys.exit(0 if all(s == "ok" for _, s, _ in results) else 1)
