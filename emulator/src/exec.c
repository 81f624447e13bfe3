// Opcode table and block executor. Instructions are decoded once into
// blocks (dcache.c); running a block is a loop over its decoded
// instructions: compute the effective address, call the opcode's handler.
#include "cpu-internal.h"
#include "simd.h"

Exec exec_table[0x400];
Exec vex_table[0x300];

int op_ill(Proc *p, Cpu *c, Mem *m, D *d) { return X_ILL; }
// An instruction the decoder could not take: too long, undefined, or its
// bytes run into an unreadable page.
int op_bad(Proc *p, Cpu *c, Mem *m, D *d) {
  if (d->bad != BAD_FETCH) return X_ILL;
  m->fault = 1;
  m->fault_addr = d->start + d->avail;
  return X_NEXT;
}
static int op_sse(Proc *p, Cpu *c, Mem *m, D *d) { return exec_sse(c, m, d, d->op) ? X_NEXT : X_ILL; }
static int op_x87(Proc *p, Cpu *c, Mem *m, D *d) { return exec_x87(c, m, d, d->op) ? X_NEXT : X_ILL; }

Exec exec_refine(D *d) {
  Exec r = alu_refine(d);
  if (!r) r = move_refine(d);
  if (!r) r = system_refine(d);
  if (r || d->op < 0x100) return r;
  r = sse3_refine(d); // SSE3 and MMX forms: 0F map only
  return r ? r : mmx_refine(d);
}

void exec_init(void) {
  for (int i = 0x100; i < 0x400; i++) exec_table[i] = op_sse; // fpu.c answers for the rest of the 0F maps
  for (int i = 0xd8; i <= 0xdf; i++) exec_table[i] = op_x87;
  alu_ops(exec_table);
  move_ops(exec_table);
  control_ops(exec_table);
  bit_ops(exec_table);
  system_ops(exec_table);
  ssse3_ops(exec_table);
  sse41_ops(exec_table);
  sse42_ops(exec_table);
  bmi_ops(vex_table);
  avx_ops(vex_table);
  fma_ops(vex_table);
  exec_table[0x10b] = op_ill; // ud2
}

static void sigill(Proc *p, D *d) {
  p->cpu.rip = d->start;
  // a guest that handles SIGILL (feature probes, tests) hears about it as on Linux, silently
  SigAct *sa = &p->sig[4];
  if (sa->handler > 1 && !((p->sigmask >> 3) & 1) && !trace_on) {
    fault_signal(p, 4, 2, d->start); // ILL_ILLOPN
    return;
  }
  char hex[64] = "";
  // the bytes the decoder consumed; for EVEX-encoded instructions (which
  // this CPU does not have) the prefix, opcode and ModRM
  u8 base[16] = {0};
  int avail = d->avail;
  if (mem_read(p->mem, d->start, base, (u64)avail)) { p->mem->fault = 0; avail = 0; }
  int n = d->len;
  const u8 *q = base;
  while (q < base + 14 && (*q == 0x66 || *q == 0x67 || *q == 0xf2 || *q == 0xf3 || *q == 0xf0 || *q == 0x2e || *q == 0x3e || *q == 0x26 || *q == 0x36 || *q == 0x64 || *q == 0x65 || (*q & 0xf0) == 0x40)) q++;
  if (*q == 0x62) n = (int)(q - base) + 6;
  if (n < 1) n = 1;
  if (n > 15) n = 15;
  if (n > avail) n = avail;
  for (int i = 0; i < n; i++) snprintf(hex + strlen(hex), sizeof hex - strlen(hex), "%s%02x", i ? " " : "", base[i]);
  fprintf(stderr, "trellis-x86: SIGILL: unimplemented or undefined instruction [%s] at rip=0x%llx (pid %d)\n", hex,
          (unsigned long long)d->start, p->pid);
  fault_signal(p, 4, 2, d->start); // ILL_ILLOPN
}

static void segv(Proc *p, u64 rip) {
  if (trace_on)
    fprintf(stderr, "trellis-x86: SIGSEGV: bad access at 0x%llx, rip=0x%llx (pid %d)\n",
            (unsigned long long)p->mem->fault_addr, (unsigned long long)rip, p->pid);
  u64 addr = p->mem->fault_addr;
  p->mem->fault = 0;
  p->cpu.rip = rip;
  fault_signal(p, 11, mem_is_mapped(p->mem, addr) ? 2 : 1, addr); // SEGV_ACCERR / SEGV_MAPERR
}

// Statistics (aot_report): the instruction count when the last block began, and whether it was translated.
static u64 stat_mark;
static int stat_aot;
static void stat_block(Proc *p, int aot) {
  if (stat_aot) aot_stat_aot_insns += p->insns - stat_mark;
  aot_stat_insns += p->insns - stat_mark;
  stat_mark = p->insns;
  stat_aot = aot;
}
static void cpu_run_blocks(Proc *p, long budget);
void cpu_run(Proc *p, long budget) {
  aot_stat_runs++;
  stat_mark = p->insns;
  stat_aot = 0;
  cpu_run_blocks(p, budget);
  stat_block(p, 0);
}

static void cpu_run_blocks(Proc *p, long budget) {
  static int ready;
  if (!ready) {
    exec_init();
    ready = 1;
  }
  Cpu *c = &p->cpu;
  Mem *m = p->mem;
  // Block chaining: where the last block was left (its end, or the
  // instruction that jumped out of it) remembers the block that followed.
  // A link is only trusted while no cached code was dropped since it was
  // made (Mem.code_gen unchanged); `from` itself only while that holds too.
  Block *from = NULL;   // the block that ran last (NULL: none, or not linkable)
  Block **slot = NULL;  // its link for the exit it took
  u32 gen = 0;
  while (budget > 0) {
    u64 rip = c->rip;
    Block *b = NULL;
    if (from && gen != m->code_gen) from = NULL;
    if (from) {
      if (from->link_gen != gen) { // links made before code was dropped: void
        from->link_end = NULL;
        for (int i = 0; i < from->n; i++) from->insn[i].link = NULL;
        from->link_gen = gen;
      }
      if (*slot && (*slot)->start == rip) b = *slot;
    }
    if (!b) {
      b = block_get(m, rip);
      if (!b) { segv(p, rip); return; }
      if (from && !b->uncached && gen == m->code_gen) *slot = b;
    }
    from = b->uncached ? NULL : b;
    gen = m->code_gen;
    b->runs++;
    stat_block(p, b->aot != 0);
    D *d = b->insn, *end = d + b->n, *base = d;
    int r = X_NEXT;
    if (b->aot) { // translated (aot-run.c): it stops where this loop would
      // A translated block may go on into other translated blocks (emit.c: it counts their instructions and
      // stays below aot_limit); the one it stopped in is aot_cur, and the result is about that one.
      u64 before = p->insns; // instructions counted there: rounds of a block looping in itself, chained blocks
      p->aot_cur = b;
      p->aot_limit = p->insns + (u64)budget;
      p->aot_chained = 0;
      int x = ((int (*)(Proc *, Block *))(uintptr_t)b->aot)(p, b);
      budget -= (long)(p->insns - before);
      aot_block_runs += 1 + p->aot_chained;
      aot_block_entries++;
      r = x >> 8;
      if (r == X_SYS && m != p->mem) { // execve: aot_cur went with the old address space's code
        p->insns += (u64)(x & 0xff);
        budget -= (x & 0xff) + 1;
        from = NULL;
        m = p->mem;
        m->code_changed = 0;
        continue;
      }
      b = p->aot_cur;
      from = b;
      base = b->insn;
      d = base + (x & 0xff);
      end = base + b->n;
    } else {
      aot_stat_blocks++;
      for (; d < end; d++) {
        if (d->eakind) d->ea = d->eakind == EA_PLAIN ? ea_plain(c, d) : ea_of(c, d);
        r = d->fn(p, c, m, d);
        if (__builtin_expect(r == X_NEXT && !m->stop, 1)) continue;
        break;
      }
    }
    if (d == end) { // ran to the end (a not-taken branch or the page end)
      p->insns += (u64)b->n;
      budget -= b->n;
      c->rip = next_rip(d - 1);
      slot = &b->link_end;
      continue;
    }
    slot = &d->link;
    long done = d - base; // instructions completed before `d` (not b->insn: an execve has freed b)
    p->insns += (u64)done;
    budget -= done + 1;
    if (r == X_NEXT || r == X_JUMP) {
      if (m->fault) { segv(p, d->start); return; }
      p->insns++;
      if (r == X_NEXT) c->rip = next_rip(d);
      m->code_changed = 0; // a write dropped cached code: look the next block up again
      continue;
    }
    if (r == X_SYS) { // the handler counted it; execve may have replaced the address space
      if (m != p->mem) from = NULL;
      m = p->mem;
      m->code_changed = 0;
      continue;
    }
    if (r == X_ILL) { sigill(p, d); return; }
    return; // X_STOP: blocked, rescheduled or a signal was raised (rip set by the handler)
  }
}
