#!/usr/bin/env python3
"""Sapirshtein-Sompolinsky-Zohar (FC'16) selfish-mining MDP, re-implemented.

States (a, h, fork), fork in {IRR, REL, ACT}; actions adopt/override/match/wait
(Table 1 of the paper).  Truncation T: states with max(a,h) == T only allow
adopt ("under-paying" MDP M^T_rho of Sec. 4.2 -> lower bound on revenue, i.e.
upper bound on the threshold).  Relative revenue is maximised with
Dinkelbach iterations on rho (equivalent to the paper's binary search on rho)
where each inner problem  max_pi avg[ r_att - rho (r_att + r_hon) ]  is solved
exactly by average-reward policy iteration (every policy is unichain: a run
of honest blocks always leads to (0,1,irr)), with sparse LU solves.

Threshold: smallest alpha such that max_pi avg[w_alpha] > 0, i.e. some policy
has REV > alpha; found by bisection on alpha.
"""
import sys, time
import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

IRR, REL, ACT = 0, 1, 2
ADOPT, OVERRIDE, MATCH, WAIT = 0, 1, 2, 3
NACT = 4


class SSZ:
    def __init__(self, alpha, gamma, T=75, trunc_override=False):
        self.alpha, self.gamma, self.T = alpha, gamma, T
        n = T + 1
        self.N = N = n * n * 3
        idx = lambda a, h, f: (a * n + h) * 3 + f
        self.idx = idx
        al, ga = alpha, gamma
        rows = [[] for _ in range(NACT)]
        cols = [[] for _ in range(NACT)]
        vals = [[] for _ in range(NACT)]
        ra = np.zeros((NACT, N))   # expected attacker reward
        rh = np.zeros((NACT, N))   # expected honest reward
        feas = np.zeros((NACT, N), dtype=bool)

        def add(act, s, s2, p):
            rows[act].append(s); cols[act].append(s2); vals[act].append(p)

        for a in range(n):
            for h in range(n):
                for f in range(3):
                    s = idx(a, h, f)
                    trunc = max(a, h) >= T
                    # adopt: always feasible
                    feas[ADOPT, s] = True
                    add(ADOPT, s, idx(1, 0, IRR), al)
                    add(ADOPT, s, idx(0, 1, IRR), 1 - al)
                    rh[ADOPT, s] = h
                    # override: a > h
                    if a > h and (not trunc or trunc_override):
                        feas[OVERRIDE, s] = True
                        add(OVERRIDE, s, idx(a - h, 0, IRR), al)
                        add(OVERRIDE, s, idx(a - h - 1, 1, REL), 1 - al)
                        ra[OVERRIDE, s] = h + 1
                    if trunc or (f == ACT and a < h):   # latter unreachable
                        continue
                    # match: a >= h, fork relevant (h >= 1 implied)
                    if a >= h and f == REL and h >= 1:
                        feas[MATCH, s] = True
                        add(MATCH, s, idx(a + 1, h, ACT), al)
                        add(MATCH, s, idx(a - h, 1, REL), ga * (1 - al))
                        add(MATCH, s, idx(a, h + 1, REL), (1 - ga) * (1 - al))
                        ra[MATCH, s] = h * ga * (1 - al)
                    # wait
                    feas[WAIT, s] = True
                    if f == ACT:
                        add(WAIT, s, idx(a + 1, h, ACT), al)
                        add(WAIT, s, idx(a - h, 1, REL), ga * (1 - al))
                        add(WAIT, s, idx(a, h + 1, REL), (1 - ga) * (1 - al))
                        ra[WAIT, s] = h * ga * (1 - al)
                    else:
                        add(WAIT, s, idx(a + 1, h, IRR), al)
                        add(WAIT, s, idx(a, h + 1, REL), 1 - al)
        self.P = [sp.csr_matrix((vals[k], (rows[k], cols[k])), shape=(N, N))
                  for k in range(NACT)]
        self.ra, self.rh, self.feas = ra, rh, feas
        self.ref = idx(0, 1, IRR)
        self.ar = np.arange(N)
        # honest policy as initial policy
        pol = np.full(N, ADOPT)
        for a in range(n):
            for h in range(n):
                for f in range(3):
                    s = idx(a, h, f)
                    if a > h and feas[OVERRIDE, s]:
                        pol[s] = OVERRIDE
                    elif a == h and feas[WAIT, s]:
                        pol[s] = WAIT
        self.honest = pol

    def _policy_matrix(self, pol):
        N = self.N
        P = sp.csr_matrix((N, N))
        for k in range(NACT):
            m = (pol == k)
            if m.any():
                P = P + sp.diags(m.astype(float)) @ self.P[k]
        return P.tocsc()

    def evaluate(self, pol, rvecs):
        """Average reward g and bias for each reward vector; h(ref)=0."""
        N = self.N
        P = self._policy_matrix(pol)
        A = (sp.identity(N, format='csc') - P).tolil()
        # replace column ref (h_ref, fixed to 0) by the unknown g (coef 1)
        A[:, self.ref] = np.ones((N, 1))
        lu = spla.splu(A.tocsc())
        out = []
        for r in rvecs:
            x = lu.solve(r)
            g = x[self.ref]
            hb = x.copy(); hb[self.ref] = 0.0
            out.append((g, hb))
        return out

    def solve_rho(self, rho, pol=None, tol=1e-12, maxit=500):
        """Policy iteration for max avg of w_rho. Returns (g, policy)."""
        w = self.ra - rho * (self.ra + self.rh)          # (NACT, N)
        pol = self.honest.copy() if pol is None else pol.copy()
        for it in range(maxit):
            r = w[pol, self.ar]
            (g, hb), = self.evaluate(pol, [r])
            Q = np.where(self.feas,
                         w + np.vstack([self.P[k] @ hb for k in range(NACT)]),
                         -np.inf)
            best = Q.argmax(axis=0)
            cur = Q[pol, self.ar]
            improve = Q[best, self.ar] > cur + tol * (1 + np.abs(cur))
            if not improve.any():
                return g, pol, it
            pol = np.where(improve, best, pol)
        raise RuntimeError('PI did not converge')

    def rev(self, pol):
        (ga, _), (gh, _) = self.evaluate(pol, [self.ra[pol, self.ar],
                                               self.rh[pol, self.ar]])
        return ga / (ga + gh)

    def optimal_revenue(self, tol=1e-11):
        rho = self.alpha            # honest mining value
        pol = self.honest.copy()
        for _ in range(100):
            g, pol, _ = self.solve_rho(rho, pol)
            new = self.rev(pol)
            if new - rho < tol:
                return max(new, rho), pol
            rho = new
        return rho, pol


def profitable(alpha, gamma, T, eps=1e-10):
    m = SSZ(alpha, gamma, T)
    g, pol, _ = m.solve_rho(alpha)
    return g > eps, g


def threshold(gamma, T=40, lo=0.0, hi=0.5, tol=1e-5):
    # invariant: not profitable at lo (or lo == 0), profitable at hi
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        ok, g = profitable(mid, gamma, T)
        if ok:
            hi = mid
        else:
            lo = mid
    return lo, hi


if __name__ == '__main__':
    what = sys.argv[1] if len(sys.argv) > 1 else 'all'
    T = int(sys.argv[2]) if len(sys.argv) > 2 else 75
    if what in ('rev', 'all'):
        print(f'# optimal relative revenue, under-paying truncation T={T}')
        for gamma in (0.0, 0.5, 1.0):
            for alpha in (0.25, 1/3, 0.35, 0.375, 0.4, 0.425, 0.45, 0.475):
                t0 = time.time()
                m = SSZ(alpha, gamma, T)
                r, pol = m.optimal_revenue()
                sm1 = None
                print(f'gamma={gamma:.2f} alpha={alpha:.4f} REV*={r:.5f} '
                      f'({time.time()-t0:.1f}s)', flush=True)
    if what in ('thr', 'all'):
        print(f'# profit thresholds (bisection on alpha, T={T})')
        gammas = [float(x) for x in sys.argv[3].split(',')] if len(sys.argv) > 3 \
            else [0, 0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 1.0]
        for gamma in gammas:
            t0 = time.time()
            lo, hi = threshold(gamma, T)
            sm1 = (1 - gamma) / (3 - 2 * gamma)
            print(f'gamma={gamma:.2f} threshold in [{lo:.6f}, {hi:.6f}]  '
                  f'SM1={sm1:.6f}  ({time.time()-t0:.1f}s)', flush=True)
