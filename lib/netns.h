/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * netns.h - doing one thing inside another network namespace.  A socket
 * belongs to the namespace it was created in, so a netlink socket for any
 * namespace is made by stepping in, creating it, and stepping straight back.
 */
#ifndef CTU_NETNS_H
#define CTU_NETNS_H

/*
 * Calls @fn(@arg) with this thread in the network namespace @nsfd (-1: in
 * ours, as it is), and returns to our own namespace before returning.
 * Returns @fn's result, or -errno when the namespace could not be entered.
 * When the way back fails (which needs the capabilities lost meanwhile) it
 * returns -ENOTRECOVERABLE: the thread is left in @nsfd, and the caller
 * must stop.
 */
int ctu_netns_call(int nsfd, int (*fn)(void *arg), void *arg);

#endif
