// pthreads: workers with a mutex, a condition variable, join, thread-local data.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long total;
static int ready;
static __thread int tls_id;

static void *worker(void *arg) {
  int id = (int)(long)arg;
  tls_id = id;
  long local = 0;
  for (int i = 0; i < 200000; i++) local += (i % (id + 2));
  pthread_mutex_lock(&lock);
  total += local;
  ready++;
  pthread_cond_signal(&cond);
  pthread_mutex_unlock(&lock);
  return (void *)(long)(tls_id * 10);
}

int main(void) {
  pthread_t t[4];
  for (long i = 0; i < 4; i++) pthread_create(&t[i], NULL, worker, (void *)i);
  pthread_mutex_lock(&lock);
  while (ready < 4) pthread_cond_wait(&cond, &lock);
  pthread_mutex_unlock(&lock);
  long rets = 0;
  for (int i = 0; i < 4; i++) {
    void *r;
    pthread_join(t[i], &r);
    rets += (long)r;
  }
  printf("total %ld rets %ld\n", total, rets);
  return 0;
}
