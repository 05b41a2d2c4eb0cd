/* SPDX-License-Identifier: Apache-2.0 */
/* The only libnl user.  A new network namespace gets its loopback up (runc does
   the same). */
#include "config.h"
#include "runtime/rootfs.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#ifdef HAVE_LIBNL
#include <netlink/netlink.h>
#include <netlink/route/link.h>

int
nr_netlink_loopback_up (nr_error_t *err)
{
  struct nl_sock *sk = nl_socket_alloc ();
  struct rtnl_link *link = NULL, *change = NULL;
  int r;
  if (sk == NULL)
    return nr_error (err, ENOMEM, "netlink socket");
  if ((r = nl_connect (sk, NETLINK_ROUTE)) < 0)
    {
      nl_socket_free (sk);
      return nr_error (err, 0, "netlink connect: %s", nl_geterror (r));
    }
  r = rtnl_link_get_kernel (sk, 0, "lo", &link);
  if (r >= 0)
    {
      change = rtnl_link_alloc ();
      rtnl_link_set_flags (change, IFF_UP);
      r = rtnl_link_change (sk, link, change, 0);
    }
  if (change)
    rtnl_link_put (change);
  if (link)
    rtnl_link_put (link);
  nl_socket_free (sk);
  if (r < 0)
    return nr_error (err, 0, "bring up loopback: %s", nl_geterror (r));
  return 0;
}
#else
int
nr_netlink_loopback_up (nr_error_t *err)
{
  struct ifreq ifr;
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return nr_error (err, errno, "socket for loopback");
  memset (&ifr, 0, sizeof ifr);
  strcpy (ifr.ifr_name, "lo");
  ifr.ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING;
  int r = ioctl (fd, SIOCSIFFLAGS, &ifr);
  int e = errno;
  close (fd);
  if (r < 0)
    return nr_error (err, e, "bring up loopback");
  return 0;
}
#endif
