//! Used machines change hands: lots on the secondary market are bought by operators with room
//! and cheap enough power (`market::secondary::match_used`), and arrive at their sites after
//! a relocation lag (shipping, customs, installation). Dormant or banned machines so return to
//! the network, as the 2021 China ban's did within months.

use super::snapshot::Snapshot;
use super::world::{DayStats, World};
use crate::agents::decision::MIN_ORDER_MW;
use crate::agents::finance::{settle_day, DayFlows};
use crate::agents::hardware::{Vintage, FLEET_REL_TOL};
use crate::agents::operator::OperatorState;
use crate::market::secondary::{match_used, Shipment, UsedBuyer};
use crate::scenario::DecisionRule;
use crate::units::W_PER_MW;

impl World {
    /// At the day's opening: lots that arrive today join their buyers' fleets (idle until the
    /// run decision; a lot whose buyer has closed goes back on sale), then the unsold lots are
    /// matched with today's buyers (the operators reviewing their strategy today) and paid for.
    pub(super) fn trade_used(&mut self, snap: &Snapshot, stats: &mut DayStats) {
        let d = snap.day;
        if self.secondary.lots.is_empty() {
            return;
        }
        self.deliver_used(d);
        let ops = &self.population.operators;
        // MW already on their way to each operator.
        let mut inbound_mw = vec![0.0; ops.len()];
        for l in &self.secondary.lots {
            if let Some(s) = l.bound_for {
                inbound_mw[s.buyer] += l.th_s * l.j_per_th / W_PER_MW;
            }
        }
        // The day each buyer's room is ready (today, or when the site it is building stands).
        let mut ready = vec![d; ops.len()];
        // Each operator shops on its strategy days (monthly, staggered): a purchase is a
        // business decision, not a daily top-up of the room its machines' failures free. Only
        // today's reviewers are visited (every `interval`-th operator), in index order.
        let buyers: Vec<UsedBuyer> = snap
            .reviewers(ops.len())
            .map(|i| (i, &ops[i]))
            .filter(|(_, o)| o.state == OperatorState::Active && o.rule == DecisionRule::Profitable)
            .map(|(i, o)| {
                let on_order_mw: f64 = o.orders().iter().map(|r| r.th_s * r.j_per_th / W_PER_MW).sum();
                let room_mw = o.mining_mw() - o.installed_mw() - on_order_mw - inbound_mw[i];
                // Room at the site today, or else room being built: machines bought for it
                // arrive when it stands (shipped meanwhile).
                let (room_mw, ready_day) = match o.building() {
                    // What is on order or on its way beyond today's room takes the new room first.
                    Some(b) if room_mw < MIN_ORDER_MW => (room_mw + b.mw, b.online_day),
                    _ => (room_mw, d),
                };
                ready[i] = ready_day;
                UsedBuyer {
                    id: i,
                    power_usd_per_kwh: o.power_usd_per_kwh,
                    room_mw,
                    liquidity_usd: o.balances.liquidity_usd(),
                }
            })
            .collect();
        let pricing = snap.pricing;
        let h = snap.market.operating_hashprice_usd_per_th_day;
        let sales = match_used(&self.secondary.lots, &buyers, h, pricing.horizon_days, |e| pricing.price_usd_per_th(e));
        let price_btc = self.price.price_usd();
        for s in sales {
            let lot = &mut self.secondary.lots[s.lot];
            let arrival_day = (d + self.hardware.relocation_days).max(ready[s.buyer]);
            let shipment = Some(Shipment { buyer: s.buyer, arrival_day });
            let j_per_th = lot.j_per_th;
            if s.th_s >= lot.th_s * (1.0 - FLEET_REL_TOL) {
                lot.bound_for = shipment;
            } else {
                lot.th_s -= s.th_s;
                let listed_day = lot.listed_day;
                let sold = crate::market::secondary::Lot { th_s: s.th_s, j_per_th, listed_day, bound_for: shipment };
                self.secondary.lots.push(sold);
            }
            let cost = s.th_s * s.price_usd_per_th;
            let b = &mut self.population.operators[s.buyer];
            let f = DayFlows { capex_usd: cost, ..DayFlows::default() };
            b.balances = settle_day(b.balances, &f, price_btc, 0.0, 0.0).balances;
            stats.capex_usd += cost;
            self.log_event(d, s.buyer, "used_purchase", s.th_s * j_per_th / W_PER_MW, s.th_s, cost, None);
        }
    }

    /// Lots due today go to their buyers' sites, in the market's order.
    fn deliver_used(&mut self, d: u32) {
        let ops = &mut self.population.operators;
        self.secondary.lots.retain_mut(|l| match l.bound_for {
            Some(s) if s.arrival_day <= d => {
                let b = &mut ops[s.buyer];
                if b.state == OperatorState::Active {
                    b.fleet.push(Vintage { th_s: l.th_s, j_per_th: l.j_per_th, running: false });
                    false
                } else {
                    l.bound_for = None;
                    true
                }
            }
            _ => true,
        });
    }
}
