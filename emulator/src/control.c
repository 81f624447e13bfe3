// Control transfer family: Jcc, JMP, CALL, RET, LOOP/JRCXZ, group 5 (FF:
// INC/DEC/CALL/JMP/PUSH), SETcc, SYSCALL, INT3, HLT. A handler that changes
// RIP returns X_JUMP; the executor then looks up the next block.
#include "cpu-internal.h"

int op_incdec(Proc *p, Cpu *c, Mem *m, D *d);

// Jcc, one handler per condition (70-7F rel8, 0F 80-8F rel32): the
// condition folds to a constant test; the decoder resolved the target.
#define JCC(cc) \
  static int op_j##cc(Proc *p, Cpu *c, Mem *m, D *d) { \
    if (!cond(c, cc)) return X_NEXT; \
    c->rip = (u64)d->disp; \
    return X_JUMP; \
  }
JCC(0) JCC(1) JCC(2) JCC(3) JCC(4) JCC(5) JCC(6) JCC(7) JCC(8) JCC(9) JCC(10) JCC(11) JCC(12) JCC(13) JCC(14) JCC(15)
static const Exec jcc[16] = {op_j0, op_j1, op_j2, op_j3, op_j4, op_j5, op_j6, op_j7,
                             op_j8, op_j9, op_j10, op_j11, op_j12, op_j13, op_j14, op_j15};
static int op_jmp(Proc *p, Cpu *c, Mem *m, D *d) { // E9 rel32, EB rel8
  c->rip = (u64)d->disp;
  return X_JUMP;
}
static int op_call(Proc *p, Cpu *c, Mem *m, D *d) {
  push(c, m, next_rip(d), 8);
  c->rip = (u64)d->disp;
  return X_JUMP;
}
static int op_ret(Proc *p, Cpu *c, Mem *m, D *d) {
  c->rip = pop(c, m, 8);
  if (d->op == 0xc2) c->r[RSP] += (u16)d->imm;
  return X_JUMP;
}
static int op_loop(Proc *p, Cpu *c, Mem *m, D *d) { // E0 loopne, E1 loope, E2 loop, E3 jrcxz
  int op = d->op;
  u64 amask = d->asz == 4 ? 0xffffffffull : ~0ull;
  int take;
  if (op == 0xe3) take = (c->r[RCX] & amask) == 0;
  else {
    u64 n = (c->r[RCX] - 1) & amask;
    c->r[RCX] = n;
    take = n != 0;
    if (op == 0xe0) take = take && !cond(c, 4);
    if (op == 0xe1) take = take && cond(c, 4);
  }
  if (!take) return X_NEXT;
  c->rip = (u64)d->disp;
  return X_JUMP;
}
static int op_grp5(Proc *p, Cpu *c, Mem *m, D *d) {
  int o = d->reg & 7, sz = d->osz;
  switch (o) {
  case 0: case 1: return op_incdec(p, c, m, d);
  case 2: {
    u64 t = rm_read(c, m, d, 8);
    push(c, m, next_rip(d), 8);
    c->rip = t;
    return m->fault ? X_NEXT : X_JUMP;
  }
  case 4:
    c->rip = rm_read(c, m, d, 8);
    return m->fault ? X_NEXT : X_JUMP;
  case 6: {
    u64 v = rm_read(c, m, d, sz == 2 ? 2 : 8);
    push(c, m, v, sz == 2 ? 2 : 8);
    return X_NEXT;
  }
  }
  return X_ILL;
}
static int op_setcc(Proc *p, Cpu *c, Mem *m, D *d) {
  rm_write(c, m, d, 1, cond(c, d->op & 15));
  return X_NEXT;
}
static int op_int3(Proc *p, Cpu *c, Mem *m, D *d) {
  c->rip = next_rip(d);
  fault_signal(p, 5, 128, 0); // SIGTRAP, SI_KERNEL
  return X_STOP;
}
static int op_hlt(Proc *p, Cpu *c, Mem *m, D *d) { // privileged: SIGSEGV
  c->rip = d->start;
  fault_signal(p, 11, 128, 0);
  return X_STOP;
}
static int op_syscall(Proc *p, Cpu *c, Mem *m, D *d) {
  if (snap_armed && snap_stops(p)) { // a start-up snapshot ends here: the restored run makes this call
    c->rip = d->start;
    snap_take(p);
  }
  c->rip = next_rip(d);
  c->r[RCX] = c->rip;
  c->r[11] = cpu_get_flags(c);
  if (do_syscall(p) == SYS_BLOCK) {
    c->rip = d->start; // retried when the process runs again
    return X_STOP;
  }
  p->insns++;
  extern int resched;
  if (p->state != P_RUN || p != cur || p->vfork_wait || resched) {
    resched = 0;
    return X_STOP;
  }
  return X_SYS; // the address space may be new (execve): the executor reloads it
}

void control_ops(Exec *t) {
  for (int i = 0; i < 16; i++) {
    t[0x70 + i] = t[0x180 + i] = jcc[i];
    t[0x190 + i] = op_setcc;
  }
  t[0xe9] = t[0xeb] = op_jmp;
  t[0xe8] = op_call;
  t[0xc2] = t[0xc3] = op_ret;
  for (int i = 0xe0; i <= 0xe3; i++) t[i] = op_loop;
  t[0xff] = op_grp5;
  t[0xcc] = op_int3;
  t[0xf4] = op_hlt;
  t[0x105] = op_syscall;
}
