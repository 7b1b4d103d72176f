//! What each use of bevy_ecs costs on the hot path, and why events reach handlers through a
//! `match` with direct `World` access rather than through observers.

use bevy_ecs::prelude::*;
use criterion::{Criterion, Throughput};

#[derive(Component)]
struct Counter(u64);

#[derive(Event, Clone, Copy)]
struct Tick {
    target: Entity,
}

#[derive(Component, Clone, Copy)]
#[allow(dead_code)]
struct Payload {
    flow: u32,
    leg: u32,
    created: u64,
    at_node: u64,
}

const N: u64 = 1_000_000;
const K: usize = 8;

pub(crate) fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("ecs_dispatch");
    g.throughput(Throughput::Elements(N));

    // Baseline: the state in a plain Vec, no ECS.
    g.bench_function("plain_vec", |b| {
        let mut counters = [0u64; K];
        b.iter(|| {
            for i in 0..N as usize {
                counters[std::hint::black_box(i % K)] += 1;
            }
        })
    });

    // What corridor does: match on the event, then World::get_mut on the target entity.
    g.bench_function("match_world_get_mut", |b| {
        let mut world = World::new();
        let ents: Vec<Entity> = (0..K).map(|_| world.spawn(Counter(0)).id()).collect();
        b.iter(|| {
            for i in 0..N as usize {
                let e = ents[std::hint::black_box(i % K)];
                world.get_mut::<Counter>(e).expect("counter").0 += 1;
            }
        })
    });

    // The alternative: trigger an event and let an observer handle it.
    g.bench_function("observer_trigger", |b| {
        let mut world = World::new();
        let ents: Vec<Entity> = (0..K).map(|_| world.spawn(Counter(0)).id()).collect();
        world.add_observer(|t: On<Tick>, mut q: Query<&mut Counter>| {
            if let Ok(mut c) = q.get_mut(t.event().target) {
                c.0 += 1;
            }
        });
        b.iter(|| {
            for i in 0..N as usize {
                world.trigger(Tick {
                    target: ents[std::hint::black_box(i % K)],
                });
            }
        })
    });
    g.finish();

    // Consignment lifetime: spawn and despawn an entity vs push and pop in a free-list slab.
    let mut g = c.benchmark_group("ecs_lifecycle");
    g.throughput(Throughput::Elements(N));
    g.bench_function("spawn_despawn", |b| {
        let mut world = World::new();
        b.iter(|| {
            for i in 0..N {
                let e = world
                    .spawn(Payload {
                        flow: 0,
                        leg: 0,
                        created: i,
                        at_node: i,
                    })
                    .id();
                world.despawn(std::hint::black_box(e));
            }
        })
    });
    g.bench_function("slab_push_pop", |b| {
        let mut slab: Vec<Payload> = Vec::new();
        let mut free: Vec<usize> = Vec::new();
        b.iter(|| {
            for i in 0..N {
                let p = Payload {
                    flow: 0,
                    leg: 0,
                    created: i,
                    at_node: i,
                };
                let ix = match free.pop() {
                    Some(ix) => {
                        slab[ix] = p;
                        ix
                    }
                    None => {
                        slab.push(p);
                        slab.len() - 1
                    }
                };
                free.push(std::hint::black_box(ix));
            }
        })
    });
    g.finish();
}
