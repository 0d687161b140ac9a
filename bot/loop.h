/*
 * loop.h — the one event loop: poll() over file descriptors plus timers
 * with integer ids, in the manner of Redis's ae. A timer callback returns
 * the delay in milliseconds until it runs again, or LOOP_NOMORE. Deleting
 * an fd watch or a timer is safe from inside any callback, including its
 * own. Nothing else in the program polls or sleeps.
 */
#ifndef OB_LOOP_H
#define OB_LOOP_H

#include <stdint.h>

#define LOOP_NOMORE	(-1)
#define LOOP_READ	0x1
#define LOOP_WRITE	0x2
#define LOOP_ERROR	0x4	/* reported only: POLLERR/POLLHUP/POLLNVAL */

struct loop;

/* events: LOOP_READ/LOOP_WRITE/LOOP_ERROR that are ready. */
typedef void	loop_fd_cb(struct loop *, int fd, int events, void *arg);
/* Return the next delay in ms (>= 0), or LOOP_NOMORE to delete. */
typedef long long loop_timer_cb(struct loop *, long long id, void *arg);

struct loop	*loop_new(void);
void		 loop_free(struct loop *);

/* Watch fd for events (replaces an existing watch on fd). 0 or -1. */
int		 loop_fd_set(struct loop *, int fd, int events, loop_fd_cb *,
		     void *arg);
/* Change only the event mask of an existing watch. */
void		 loop_fd_events(struct loop *, int fd, int events);
void		 loop_fd_del(struct loop *, int fd);

/* Run cb after delay_ms; returns an id > 0. */
long long	 loop_timer_add(struct loop *, long long delay_ms,
		     loop_timer_cb *, void *arg);
void		 loop_timer_del(struct loop *, long long id);
/* Milliseconds until the timer runs, or -1 if no such timer. */
long long	 loop_timer_remaining(struct loop *, long long id);

/* Monotonic time in ms, updated once per iteration. */
uint64_t	 loop_now(struct loop *);

/* One iteration: wait at most max_wait_ms (-1: until an event/timer). */
void		 loop_once(struct loop *, int max_wait_ms);
/* Iterate until loop_stop(). */
void		 loop_run(struct loop *);
void		 loop_stop(struct loop *);

#endif
