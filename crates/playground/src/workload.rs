//! A synthetic shop for `--demo` and `mwatch playground --workload`: orders, customers and
//! inventory changing at a pace a person can follow. It issues ordinary commands, so every
//! change goes through the same code and oplog as a client's.

use std::sync::Arc;
use std::time::Duration;

use bson::{doc, oid::ObjectId, Bson, DateTime, Document};
use tokio::sync::watch;

use crate::commands;
use crate::server::Shared;

/// A synthetic shop that writes to the `shop` database in the background
/// ([`Config::workload`](crate::Config::workload)): orders placed and moving on, customers and
/// inventory changing, and now and then an index or a scratch collection created and dropped,
/// so that every kind of change event shows up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Workload {
    /// Operations per second.
    pub rate: f64,
    /// Seed of the random choices: the same seed makes the same choices.
    pub seed: u64,
}

impl Default for Workload {
    fn default() -> Self {
        Workload {
            rate: 15.0,
            seed: 42,
        }
    }
}

/// SplitMix64: small, seedable, and good enough for a demo.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const CITIES: [&str; 8] = [
    "Oslo", "Lyon", "Porto", "Austin", "Osaka", "Lagos", "Quito", "Perth",
];
const NAMES: [&str; 10] = [
    "Ada", "Linus", "Grace", "Ken", "Barbara", "Dennis", "Margaret", "Guido", "Frances", "Edsger",
];
const SKUS: [&str; 12] = [
    "pen-blue",
    "pen-red",
    "notebook-a5",
    "notebook-a4",
    "stapler",
    "mug",
    "lamp",
    "chair",
    "desk",
    "cable-usb",
    "mouse",
    "keyboard",
];
const STATUSES: [&str; 4] = ["new", "paid", "shipped", "delivered"];

#[derive(Debug)]
struct Order {
    id: ObjectId,
    status: usize,
    items: Vec<&'static str>,
}

struct Shop {
    rng: Rng,
    orders: Vec<Order>,
    customers: Vec<i32>,
    next_order: i64,
    scratch: u32,
}

/// Runs until `stop` changes.
pub async fn run(shared: Arc<Shared>, workload: Workload, mut stop: watch::Receiver<bool>) {
    let mut shop = Shop {
        rng: Rng(workload.seed),
        orders: Vec::new(),
        customers: Vec::new(),
        next_order: 1000,
        scratch: 0,
    };
    for command in shop.setup() {
        execute(&shared, command);
    }
    let period = Duration::from_secs_f64(1.0 / workload.rate.clamp(0.01, 100_000.0));
    let mut ticker = tokio::time::interval(period);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {
                for command in shop.step() {
                    execute(&shared, command);
                }
            }
            _ = stop.changed() => return,
        }
    }
}

fn execute(shared: &Shared, command: Document) {
    // The workload's own commands are well-formed; a refusal (say, a name taken by a
    // client) just skips that step.
    let _ = shared.with_state(|state| commands::run(state, &command, 0));
}

fn on(db: &str, mut command: Document) -> Document {
    command.insert("$db", db);
    command
}

impl Shop {
    fn setup(&mut self) -> Vec<Document> {
        let customers: Vec<Document> = (1..=12).map(|id| self.customer(id)).collect();
        self.customers = (1..=12).collect();
        let inventory: Vec<Document> = SKUS
            .iter()
            .map(|sku| doc! { "_id": *sku, "stock": 100 + self.rng.below(400) as i32, "price": 2.5 + self.rng.below(200) as f64, "warehouse": { "bin": format!("A{}", self.rng.below(40)) } })
            .collect();
        vec![
            on(
                "shop",
                doc! { "create": "orders", "changeStreamPreAndPostImages": { "enabled": true } },
            ),
            on(
                "shop",
                doc! { "insert": "customers", "documents": customers },
            ),
            on(
                "shop",
                doc! { "insert": "inventory", "documents": inventory },
            ),
        ]
    }

    fn customer(&mut self, id: i32) -> Document {
        let name = *self.rng.pick(&NAMES);
        doc! {
            "_id": id,
            "name": name,
            "email": format!("{}{}@example.com", name.to_lowercase(), id),
            "address": { "city": *self.rng.pick(&CITIES) },
            "tags": [],
        }
    }

    /// One step of the workload: usually one command, sometimes a few.
    fn step(&mut self) -> Vec<Document> {
        let roll = self.rng.below(100);
        match roll {
            0..=29 => vec![self.new_order()],
            30..=54 => self.advance_order(),
            55..=62 => self.add_item(),
            63..=67 => self.remove_item(),
            68..=77 => vec![self.restock()],
            78..=82 => vec![self.tag_customer()],
            83..=85 => vec![self.new_customer()],
            86..=89 => vec![self.reprice()],
            90..=95 => self.archive_order(),
            96..=97 => vec![self.index_change()],
            _ => self.scratch_collection(),
        }
    }

    fn new_order(&mut self) -> Document {
        let id = ObjectId::new();
        let count = 1 + self.rng.below(3);
        let items: Vec<&'static str> = (0..count).map(|_| *self.rng.pick(&SKUS)).collect();
        let lines: Vec<Document> = items
            .iter()
            .map(|sku| doc! { "sku": *sku, "qty": 1 + self.rng.below(4) as i32, "price": 5.0 + self.rng.below(90) as f64 })
            .collect();
        let total: f64 = lines
            .iter()
            .map(|l| l.get_f64("price").unwrap_or(0.0) * f64::from(l.get_i32("qty").unwrap_or(1)))
            .sum();
        self.next_order += 1;
        let customer = *self.rng.pick(&self.customers);
        self.orders.push(Order {
            id,
            status: 0,
            items,
        });
        on(
            "shop",
            doc! { "insert": "orders", "documents": [{
                "_id": id,
                "orderNo": self.next_order,
                "customerId": customer,
                "status": "new",
                "items": lines,
                "total": total,
                "shipping": { "city": *self.rng.pick(&CITIES), "method": *self.rng.pick(&["standard", "express"]) },
                "createdAt": DateTime::now(),
            }] },
        )
    }

    fn open_order(&mut self) -> Option<usize> {
        let open: Vec<usize> = (0..self.orders.len())
            .filter(|i| self.orders[*i].status < 3)
            .collect();
        (!open.is_empty()).then(|| *self.rng.pick(&open))
    }

    fn update(&self, coll: &str, id: impl Into<Bson>, update: Document) -> Document {
        on(
            "shop",
            doc! { "update": coll, "updates": [{ "q": { "_id": id.into() }, "u": update }] },
        )
    }

    fn advance_order(&mut self) -> Vec<Document> {
        let Some(i) = self.open_order() else {
            return vec![self.new_order()];
        };
        let order = &mut self.orders[i];
        order.status += 1;
        let mut set = doc! { "status": STATUSES[order.status], "updatedAt": DateTime::now() };
        if order.status == 2 {
            set.insert(
                "shipping.trackingNo",
                format!("TRK{:08}", self.rng.next() % 100_000_000),
            );
        }
        let id = self.orders[i].id;
        vec![self.update("orders", id, doc! { "$set": set })]
    }

    fn add_item(&mut self) -> Vec<Document> {
        let Some(i) = self.open_order() else {
            return vec![self.new_order()];
        };
        let sku = *self.rng.pick(&SKUS);
        let price = 5.0 + self.rng.below(90) as f64;
        self.orders[i].items.push(sku);
        let id = self.orders[i].id;
        vec![self.update(
            "orders",
            id,
            doc! { "$push": { "items": { "sku": sku, "qty": 1, "price": price } }, "$inc": { "total": price } },
        )]
    }

    fn remove_item(&mut self) -> Vec<Document> {
        let Some(i) = self
            .open_order()
            .filter(|i| self.orders[*i].items.len() > 1)
        else {
            return vec![self.restock()];
        };
        let sku = self.orders[i].items.remove(0);
        self.orders[i].items.retain(|s| *s != sku);
        let id = self.orders[i].id;
        vec![self.update("orders", id, doc! { "$pull": { "items": { "sku": sku } } })]
    }

    fn restock(&mut self) -> Document {
        let sku = *self.rng.pick(&SKUS);
        let delta = self.rng.below(50) as i32 - 20;
        let bin = format!("A{}", self.rng.below(40));
        self.update(
            "inventory",
            sku,
            doc! { "$inc": { "stock": delta }, "$set": { "warehouse.bin": bin } },
        )
    }

    fn tag_customer(&mut self) -> Document {
        let id = *self.rng.pick(&self.customers);
        let tag = *self.rng.pick(&["vip", "newsletter", "b2b", "returns"]);
        self.update(
            "customers",
            id,
            doc! { "$addToSet": { "tags": tag }, "$currentDate": { "lastSeen": true } },
        )
    }

    fn new_customer(&mut self) -> Document {
        let id = self.customers.len() as i32 + 1;
        self.customers.push(id);
        let customer = self.customer(id);
        on(
            "shop",
            doc! { "insert": "customers", "documents": [customer] },
        )
    }

    fn reprice(&mut self) -> Document {
        let sku = *self.rng.pick(&SKUS);
        let replacement = doc! {
            "_id": sku,
            "stock": self.rng.below(500) as i32,
            "price": 2.5 + self.rng.below(200) as f64,
            "warehouse": { "bin": format!("B{}", self.rng.below(40)) },
            "discontinued": self.rng.below(10) == 0,
        };
        on(
            "shop",
            doc! { "update": "inventory", "updates": [{ "q": { "_id": sku }, "u": replacement }] },
        )
    }

    fn archive_order(&mut self) -> Vec<Document> {
        let delivered: Vec<usize> = (0..self.orders.len())
            .filter(|i| self.orders[*i].status == 3)
            .collect();
        if delivered.is_empty() {
            return self.advance_order();
        }
        let order = self.orders.remove(*self.rng.pick(&delivered));
        vec![on(
            "shop",
            doc! { "delete": "orders", "deletes": [{ "q": { "_id": order.id }, "limit": 1 }] },
        )]
    }

    fn index_change(&mut self) -> Document {
        let field = *self.rng.pick(&["status", "customerId", "shipping.city"]);
        let name = format!("{}_1", field.replace('.', "_"));
        if self.rng.below(2) == 0 {
            on(
                "shop",
                doc! { "createIndexes": "orders", "indexes": [{ "key": { field: 1 }, "name": name }] },
            )
        } else {
            on("shop", doc! { "dropIndexes": "orders", "index": name })
        }
    }

    fn scratch_collection(&mut self) -> Vec<Document> {
        self.scratch += 1;
        let name = format!("scratch_{}", self.scratch);
        let renamed = format!("{name}_old");
        vec![
            on("shop", doc! { "create": &name }),
            on(
                "shop",
                doc! { "insert": &name, "documents": [{ "note": "temporary" }] },
            ),
            on(
                "admin",
                doc! { "renameCollection": format!("shop.{name}"), "to": format!("shop.{renamed}") },
            ),
            on("shop", doc! { "drop": renamed }),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Oplog entries a stream without expanded events shows.
    fn visible_events(shared: &Shared) -> usize {
        shared.with_state(|state| {
            (0..)
                .map_while(|i| state.oplog.get(i))
                .filter(|entry| !entry.op.is_expanded_only())
                .count()
        })
    }

    // Tokio's paused clock makes the ticker's minute exact and instant: this measures the
    // workload's pace, not the machine's.
    #[tokio::test(start_paused = true)]
    async fn the_default_rate_is_one_a_person_can_follow() {
        let shared = crate::server::tests::shared(1_000_000);
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(run(shared.clone(), Workload::default(), stopped));
        tokio::time::sleep(Duration::from_secs(1)).await;
        let after_setup = visible_events(&shared);
        tokio::time::sleep(Duration::from_secs(60)).await;
        let per_second = (visible_events(&shared) - after_setup) as f64 / 60.0;
        assert!((10.0..=30.0).contains(&per_second), "{per_second} events/s");
        stop.send(true).unwrap();
        task.await.unwrap();
    }

    #[test]
    fn the_same_seed_gives_the_same_steps() {
        let run = |seed| {
            let mut shop = Shop {
                rng: Rng(seed),
                orders: Vec::new(),
                customers: Vec::new(),
                next_order: 0,
                scratch: 0,
            };
            shop.setup();
            // Names and targets of the commands (ids and dates differ run to run).
            (0..50)
                .flat_map(|_| shop.step())
                .map(|c| format!("{:?}", c.iter().next()))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
    }
}
