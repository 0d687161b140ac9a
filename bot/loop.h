/*
 * loop.h — the one event loop: poll() over file descriptors plus timers
 * with integer ids, in the manner of Redis's ae. A timer callback returns
 * the delay in milliseconds until it runs again, or LOOP_NOMORE. Deleting
 * an fd watch or a timer is safe from inside any callback, including its
 * own. Nothing else in the program polls or sleeps.
 *
 * Every fd watch and timer carries an owner: an opaque pointer naming the
 * module (or plugin) that registered it, NULL for the core. loop_release
 * drops everything one owner registered, so that a module or plugin being
 * torn down cannot leave a callback pointing into freed memory.
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
/* The before-sleep hook. */
typedef void	loop_hook_cb(void *arg);

struct loop	*loop_new(void);
void		 loop_free(struct loop *);

/*
 * Watch fd for events on behalf of owner (NULL: the core); replaces an
 * existing watch on fd, owner included. 0 or -1.
 */
int		 loop_fd_set(struct loop *, void *owner, int fd, int events,
		     loop_fd_cb *, void *arg);
/* Change only the event mask of an existing watch. */
void		 loop_fd_events(struct loop *, int fd, int events);
void		 loop_fd_del(struct loop *, int fd);

/*
 * Run cb after delay_ms on behalf of owner (NULL: the core); returns an
 * id > 0. Ids are never reused. A timer added while timers are running
 * never runs in that same pass, even with a delay of 0.
 */
long long	 loop_timer_add(struct loop *, void *owner, long long delay_ms,
		     loop_timer_cb *, void *arg);
void		 loop_timer_del(struct loop *, long long id);
/* Milliseconds until the timer runs, or -1 if no such timer. */
long long	 loop_timer_remaining(struct loop *, long long id);

/*
 * Delete every fd watch and timer that owner registered; safe inside any
 * callback, the owner's own included. The fds are not closed. A NULL
 * owner (the core) is never released this way: nothing happens.
 */
void		 loop_release(struct loop *, void *owner);

/*
 * Call fn(arg) once at the start of every iteration, before the poll set
 * and its timeout are computed, so that the hook may queue output, change
 * watches or add timers and have them count in this very poll(). One hook
 * per loop: a second call replaces the first; fn NULL removes it.
 */
void		 loop_before_sleep(struct loop *, loop_hook_cb *fn, void *arg);

/* Monotonic time in ms, updated once per iteration. */
uint64_t	 loop_now(struct loop *);

/* One iteration: wait at most max_wait_ms (-1: until an event/timer). */
void		 loop_once(struct loop *, int max_wait_ms);
/* Iterate until loop_stop(). */
void		 loop_run(struct loop *);
void		 loop_stop(struct loop *);

#endif
