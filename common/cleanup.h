/* SPDX-License-Identifier: Apache-2.0 */
/* Scope-bound resources: _cleanup_free_, _cleanup_close_, TAKE_PTR/TAKE_FD. */
#ifndef NR_CLEANUP_H
#define NR_CLEANUP_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <errno.h>
#include <dirent.h>

static inline void nr_freep (void *p) { free (*(void **) p); }
static inline void nr_closep (int *fd)
{
  if (*fd >= 0)
    {
      int saved = errno;
      close (*fd);
      errno = saved;
    }
}
static inline void nr_fclosep (FILE **f) { if (*f) fclose (*f); }
static inline void nr_closedirp (DIR **d) { if (*d) closedir (*d); }
static inline void nr_strvfreep (char ***v)
{
  if (*v)
    {
      for (char **p = *v; *p; p++)
        free (*p);
      free (*v);
      *v = NULL;
    }
}

#define _cleanup_(f) __attribute__ ((cleanup (f)))
#define _cleanup_free_ _cleanup_ (nr_freep)
#define _cleanup_close_ _cleanup_ (nr_closep)
#define _cleanup_fclose_ _cleanup_ (nr_fclosep)
#define _cleanup_closedir_ _cleanup_ (nr_closedirp)
#define _cleanup_strv_ _cleanup_ (nr_strvfreep)

/* One definition per library handle: DEFINE_CLEANUP_FUNC (yajl_val, yajl_tree_free)
   gives yajl_val_cleanup, used as _cleanup_ (yajl_val_cleanup).  */
#define DEFINE_CLEANUP_FUNC(type, func)                 \
  static inline void func##p (type *p)                  \
  {                                                     \
    if (*p)                                             \
      func (*p);                                        \
  }

/* Hand ownership over: the variable is emptied so its cleanup does nothing. */
#define TAKE_PTR(p)                      \
  ({                                     \
    __typeof__ (p) _tp_tmp = (p);        \
    (p) = NULL;                          \
    _tp_tmp;                             \
  })
#define TAKE_FD(fd)                      \
  ({                                     \
    int _tf_tmp = (fd);                  \
    (fd) = -1;                           \
    _tf_tmp;                             \
  })

#define NR_ARRAY_SIZE(a) (sizeof (a) / sizeof ((a)[0]))

#endif
