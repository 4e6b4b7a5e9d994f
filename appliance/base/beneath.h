/* beneath: opening a file below a directory without ever leaving it or
 * following a symbolic link. Serving (/f/, manifests), ingest's walk and
 * restore's checks all open published files this one way. */
#ifndef BROADSIDE_BENEATH_H
#define BROADSIDE_BENEATH_H

/* Open relpath ("a/b.csv") below the directory dirfd for reading. Symlinks
 * anywhere on the way are refused (ELOOP), as is any escape from dirfd (EXDEV).
 * Uses openat2(RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS), or a component-by-component
 * walk with O_NOFOLLOW where the kernel lacks openat2. Returns an fd or -1. */
int beneath_open(int dirfd, const char *relpath);
/* Force the walk even where openat2 exists (tests cover both paths). */
void beneath_set_force_walk(int on);

#endif
