/* SPDX-License-Identifier: MIT */
/*
 * The anon_vma side of mm/rmap.c (Linux 6.18): allocation, the chains of
 * anon_vma_chain (AVC) objects, fork, and teardown.
 */
#include "internal.h"

/* mm/rmap.c: anon_vma_alloc() */
struct avs_anon_vma *anon_vma_alloc(struct avs_shadow *sh)
{
	struct avs_anon_vma *av = avs_alloc(sh, AVS_MEM_ANON_VMA, sizeof(*av));

	av->refcount = 1;
	av->degree = 1;			/* 3.19: the first VMA */
	av->num_children = 0;
	av->num_active_vmas = 0;
	av->parent = av;
	av->root = av;
	av->id = ++sh->next_av_id;
	INIT_LIST_HEAD(&av->rb_root);
	INIT_LIST_HEAD(&av->folios);
	list_add_tail(&av->node, &sh->anon_vmas);
	sh->counts.anon_vmas++;
	sh->counts.anon_vmas_allocated++;
	sh->counts.fork_anon_vmas += sh->in_fork;
	return av;
}

/*
 * mm/rmap.c: anon_vma_free().  Pages do not pin anon_vmas; a folio still
 * mapped here is stranded: rmap would follow a dangling folio->mapping.
 * One unmapped but still in the swap cache keeps the dangling mapping,
 * and a later swap-in maps it as it is (do_swap_page).
 */
static void anon_vma_free(struct avs_shadow *sh, struct avs_anon_vma *av)
{
	struct avs_folio *f, *n;

	list_for_each_entry_safe(f, n, &av->folios, anon_node) {
		if (f->mapcount) {
			f->flags |= AVS_FOLIO_STRANDED;
			avs_hazard(sh, AVS_HAZ_STRANDED, 0, 0, f, av->id);
		} else if (f->swapcount && (f->flags & AVS_FOLIO_IN_CORE)) {
			f->flags |= AVS_FOLIO_STALE;
			f->stale_av = (uint32_t)av->id;
		}
		list_del(&f->anon_node);
		f->anon_vma = NULL;
		av->nr_folios--;
	}
	list_del(&av->node);
	sh->counts.anon_vmas--;
	avs_free(sh, AVS_MEM_ANON_VMA, av, sizeof(*av));
}

void get_anon_vma(struct avs_anon_vma *av)
{
	av->refcount++;
}

/* mm/rmap.c: put_anon_vma() and __put_anon_vma() */
void put_anon_vma(struct avs_shadow *sh, struct avs_anon_vma *av)
{
	struct avs_anon_vma *root = av->root;

	if (--av->refcount > 0)
		return;
	anon_vma_free(sh, av);
	/* a non-root releases the pin it took on its root at fork */
	if (root != av && --root->refcount == 0)
		anon_vma_free(sh, root);
}

/* The interval tree: insertion appends, so equal start pgoffs are visited
 * in insertion order (mm/interval_tree.c: anon_vma_interval_tree_insert). */
static void anon_vma_interval_tree_insert(struct avs_avc *avc,
					  struct avs_anon_vma *av)
{
	list_add_tail(&avc->same_anon_vma, &av->rb_root);
	av->nr_avcs++;
}

static void anon_vma_interval_tree_remove(struct avs_avc *avc,
					  struct avs_anon_vma *av)
{
	list_del(&avc->same_anon_vma);
	av->nr_avcs--;
}

/*
 * mm/rmap.c: anon_vma_interval_tree_pre_update_vma() / _post_update_vma():
 * the AVCs of a VMA whose range or pgoff changes leave their trees and are
 * inserted again (so they move behind equal keys).
 */
void anon_vma_interval_tree_pre_update_vma(struct avs_vma *vma)
{
	struct avs_avc *avc;

	list_for_each_entry(avc, &vma->anon_vma_chain, same_vma)
		anon_vma_interval_tree_remove(avc, avc->anon_vma);
}

void anon_vma_interval_tree_post_update_vma(struct avs_vma *vma)
{
	struct avs_avc *avc;

	list_for_each_entry(avc, &vma->anon_vma_chain, same_vma)
		anon_vma_interval_tree_insert(avc, avc->anon_vma);
}

/* mm/rmap.c: anon_vma_chain_link(), with the AVC allocation folded in.
 * The new AVC goes to the head of the VMA's chain. */
void anon_vma_chain_link(struct avs_shadow *sh, struct avs_vma *vma,
			 struct avs_anon_vma *av)
{
	struct avs_avc *avc = avs_alloc(sh, AVS_MEM_AVC, sizeof(*avc));

	avc->vma = vma;
	avc->anon_vma = av;
	list_add(&avc->same_vma, &vma->anon_vma_chain);
	anon_vma_interval_tree_insert(avc, av);
	sh->counts.avcs++;
	sh->counts.avcs_allocated++;
	sh->counts.fork_avcs += sh->in_fork;
}

static void anon_vma_chain_free(struct avs_shadow *sh, struct avs_avc *avc)
{
	sh->counts.avcs--;
	avs_free(sh, AVS_MEM_AVC, avc, sizeof(*avc));
}

unsigned long avs_chain_length(const struct avs_vma *vma)
{
	const struct avs_avc *avc;
	unsigned long n = 0;

	list_for_each_entry(avc, &vma->anon_vma_chain, same_vma)
		n++;
	return n;
}

/*
 * mm/rmap.c: __anon_vma_prepare().  Adopt a neighbour's anon_vma when
 * find_mergeable_anon_vma() offers one, else allocate a new root, whose
 * num_children counts its self-parent link.
 */
void __anon_vma_prepare(struct avs_shadow *sh, struct avs_vma *vma)
{
	struct avs_anon_vma *av = find_mergeable_anon_vma(sh->rules, vma);

	if (!av) {
		av = anon_vma_alloc(sh);
		av->num_children++;
	}
	vma->anon_vma = av;
	anon_vma_chain_link(sh, vma, av);
	av->num_active_vmas++;
	av->degree++;	/* 3.19: the VMA, or a new root's self-parent link */
}

/*
 * May a fork child VMA (dst, no anon_vma yet) reuse av from its parent
 * VMA's chain instead of allocating its own?
 */
static bool reusable_at_fork(const struct avs_rules *rules,
			     const struct avs_vma *dst,
			     const struct avs_vma *src,
			     const struct avs_anon_vma *av)
{
	if (dst->anon_vma || !src->anon_vma)
		return false;
	switch (rules->reuse) {
	case AVS_REUSE_DEGREE:		/* 7a3ef208e662 */
		return av != src->anon_vma && av->degree < 2;
	case AVS_REUSE_COUNTS:		/* 2555283eb40d */
		return av->num_children < 2 && av->num_active_vmas == 0;
	default:
		return false;
	}
}

/*
 * mm/rmap.c: anon_vma_clone().  Link dst to every anon_vma of src's chain,
 * oldest first, so dst's chain ends up in src's order.  At fork (dst has no
 * anon_vma yet) an anon_vma that no VMA uses any more and that has at most
 * one child is reused instead of allocating one (2555283eb40d).
 */
static void clone_one(struct avs_shadow *sh, struct avs_vma *dst,
		      struct avs_vma *src, struct avs_anon_vma *av)
{
	anon_vma_chain_link(sh, dst, av);
	if (reusable_at_fork(sh->rules, dst, src, av))
		dst->anon_vma = av;
}

void anon_vma_clone(struct avs_shadow *sh, struct avs_vma *dst,
		    struct avs_vma *src)
{
	struct avs_avc *pavc;

	if (sh->rules->clone_reverses_chain)	/* 2.6.34-rc1..rc3 */
		list_for_each_entry(pavc, &src->anon_vma_chain, same_vma)
			clone_one(sh, dst, src, pavc->anon_vma);
	else
		list_for_each_entry_reverse(pavc, &src->anon_vma_chain, same_vma)
			clone_one(sh, dst, src, pavc->anon_vma);
	if (dst->anon_vma) {
		dst->anon_vma->num_active_vmas++;
		dst->anon_vma->degree++;
	}
}

/*
 * mm/rmap.c: anon_vma_fork().  The child VMA joins all of the parent VMA's
 * anon_vmas, then gets its own (unless one was reused), which pins the
 * root and counts as a child of the parent VMA's anon_vma.
 */
void anon_vma_fork(struct avs_shadow *sh, struct avs_vma *vma,
		   struct avs_vma *pvma)
{
	struct avs_anon_vma *av;

	if (!pvma->anon_vma)
		return;
	if (sh->rules->family_anon_vma) {
		/* <= 2.6.33 anon_vma_link(): the child VMA joins the list of
		 * its parent VMA's anon_vma, the family's only one */
		vma->anon_vma = pvma->anon_vma;
		anon_vma_chain_link(sh, vma, vma->anon_vma);
		vma->anon_vma->num_active_vmas++;
		vma->anon_vma->degree++;
		return;
	}
	vma->anon_vma = NULL;
	anon_vma_clone(sh, vma, pvma);
	if (vma->anon_vma) {
		sh->counts.anon_vmas_reused++;
		return;
	}
	av = anon_vma_alloc(sh);
	av->num_active_vmas++;
	av->root = pvma->anon_vma->root;
	av->parent = pvma->anon_vma;
	get_anon_vma(av->root);
	vma->anon_vma = av;
	anon_vma_chain_link(sh, vma, av);
	av->parent->num_children++;
	av->parent->degree++;
}

/*
 * mm/rmap.c: unlink_anon_vmas().  The chain runs newest to oldest, so a
 * root is released after its descendants.  An anon_vma whose tree empties
 * loses its place among its parent's children and its own reference.
 */
void unlink_anon_vmas(struct avs_shadow *sh, struct avs_vma *vma)
{
	struct avs_avc *avc, *next;

	list_for_each_entry_safe(avc, next, &vma->anon_vma_chain, same_vma) {
		struct avs_anon_vma *av = avc->anon_vma;

		anon_vma_interval_tree_remove(avc, av);
		if (list_empty(&av->rb_root)) {
			av->parent->num_children--;
			av->parent->degree--;
			continue;	/* freed below */
		}
		list_del(&avc->same_vma);
		anon_vma_chain_free(sh, avc);
	}
	if (vma->anon_vma) {
		vma->anon_vma->num_active_vmas--;
		vma->anon_vma->degree--;
		vma->anon_vma = NULL;
	}
	list_for_each_entry_safe(avc, next, &vma->anon_vma_chain, same_vma) {
		put_anon_vma(sh, avc->anon_vma);
		list_del(&avc->same_vma);
		anon_vma_chain_free(sh, avc);
	}
}
