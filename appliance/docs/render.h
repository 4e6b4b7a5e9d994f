/* render: PDF pages as PNG images and their text, and clean copies of images,
 * all made in the document jail; and the render process that makes them for
 * a sandboxed server.
 *
 * A page is drawn by poppler's pdftoppm (RENDER_WIDTH pixels wide, its
 * height cropped at RENDER_HEIGHT_MAX so a freak page size cannot make a
 * huge image), its text taken by pdftotext for that page, and the page
 * count by pdfinfo: three jailed tools, each by absolute path on the
 * document's descriptor (docjail_tool). An image's clean copy is made by
 * image_clean_fd in a jailed worker (docjail_parse), and so are the decoded
 * bytes of a message's attachment (extract_attachment_fd: the same walk over
 * the message that numbered its parts at ingest, so serve never parses MIME
 * and never holds a decoder).
 *
 * `serve` cannot start a process once it is sandboxed, so it forks the
 * render process (render_start) before it opens a catalogue, a listener or
 * a reader's socket. That process holds one SOCK_SEQPACKET socket and does
 * one job at a time: a job is a request and three descriptors (the document,
 * opened by serve beneath the collection's root, and two files to write,
 * which serve made in its cache), its answer a status. It exits when serve
 * goes away. `add --render-pages` calls render_run directly. */
#ifndef BROADSIDE_RENDER_H
#define BROADSIDE_RENDER_H

#include <stdint.h>

#include "base/util.h"
#include "docs/docjail.h"

#define RENDER_WIDTH 1000          /* pixels: a phone shows it at full width */
#define RENDER_HEIGHT_MAX 3000     /* pixels a page image may be tall */
#define RENDER_PAGES_MAX 100000    /* pages of one PDF we offer */

enum render_job {
	RENDER_PAGE = 1,   /* a PDF page: its PNG to out[0], "PAGES\n" + its text to out[1] */
	RENDER_IMAGE,      /* an image's clean copy to out[0] (kind: enum image_kind) */
	RENDER_ATTACH,     /* a message's attachment number page (from 1), decoded, to
	                    * out[0] (kind: EXTRACT_EML or EXTRACT_MSG) */
};

typedef struct render_tools {
	const char *pdftoppm, *pdftotext, *pdfinfo;   /* absolute paths */
} render_tools_t;

/* The tools' paths as Debian installs them. */
void render_tools_default(render_tools_t *t);

/* Do one job here with jail j (made with the three tools): write its
 * outputs to out[0] and out[1] (-1: not wanted). page counts from 1.
 * Return 0, or -1 with why filled ("could not render ..."). A page whose
 * image fails but whose text came out still fails. */
int render_run(docjail_t *j, const render_tools_t *t, enum render_job job, int page, int kind,
    int doc, const int out[2], strbuf_t *why);

typedef struct render render_t;

/* Fork the render process for jail mode mode (SANDBOX_*). NULL (logged) on
 * failure. */
render_t *render_start(int mode, const render_tools_t *t);
/* Close the socket (the process ends) and reap it. */
void render_free_(render_t *r);
#define render_free(p) do { render_free_(p); (p) = NULL; } while (0)
/* The socket: readable when a job's answer is in. */
int render_fd(const render_t *r);
/* Hand a job over (the descriptors are duplicated by the kernel; the caller
 * still closes its own). 0, or -1 when the process is gone. */
int render_send(render_t *r, uint32_t id, enum render_job job, int page, int kind, int doc,
    const int out[2]);
/* Read one answer: 0 and *id, *ok (1 made, 0 failed); 1 when none is ready;
 * -1 when the process is gone. */
int render_recv(render_t *r, uint32_t *id, int *ok);

#endif
