package exchange

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// boundIndex finds the boxes that contain a point: a packed R-tree
// (sort-tile-recursive), built once, so that nesting 100,000 rings or
// placing as many labels costs a few box tests each instead of a test
// against every ring.
type boundIndex struct {
	boxes []orb.Bound
	nodes []boundNode
	root  int
}

type boundNode struct {
	b    orb.Bound
	kids []int // box indexes for a leaf, node indexes otherwise
	leaf bool
}

const boundFanout = 16

func newBoundIndex(boxes []orb.Bound) *boundIndex {
	ix := &boundIndex{boxes: boxes, root: -1}
	if len(boxes) == 0 {
		return ix
	}
	ids := make([]int, len(boxes))
	for i := range ids {
		ids[i] = i
	}
	level := ix.pack(ids, func(i int) orb.Bound { return boxes[i] }, true)
	for len(level) > 1 {
		level = ix.pack(level, func(i int) orb.Bound { return ix.nodes[i].b }, false)
	}
	ix.root = level[0]
	return ix
}

// pack groups entries into nodes of boundFanout: slabs by x, then runs by
// y within each slab. It returns the new nodes' indexes.
func (ix *boundIndex) pack(ids []int, box func(int) orb.Bound, leaf bool) []int {
	cx := func(i int) float64 { b := box(i); return b.Min[0] + b.Max[0] }
	cy := func(i int) float64 { b := box(i); return b.Min[1] + b.Max[1] }
	sort.SliceStable(ids, func(a, b int) bool { return cx(ids[a]) < cx(ids[b]) })
	leaves := (len(ids) + boundFanout - 1) / boundFanout
	slab := int(math.Ceil(math.Sqrt(float64(leaves)))) * boundFanout
	var out []int
	for s := 0; s < len(ids); s += slab {
		part := ids[s:min(s+slab, len(ids))]
		sort.SliceStable(part, func(a, b int) bool { return cy(part[a]) < cy(part[b]) })
		for k := 0; k < len(part); k += boundFanout {
			kids := append([]int(nil), part[k:min(k+boundFanout, len(part))]...)
			b := box(kids[0])
			for _, c := range kids[1:] {
				b = b.Union(box(c))
			}
			ix.nodes = append(ix.nodes, boundNode{b: b, kids: kids, leaf: leaf})
			out = append(out, len(ix.nodes)-1)
		}
	}
	return out
}

// containing calls fn with the index of every box containing p.
func (ix *boundIndex) containing(p orb.Point, fn func(i int)) {
	if ix.root < 0 {
		return
	}
	stack := []int{ix.root}
	for len(stack) > 0 {
		n := &ix.nodes[stack[len(stack)-1]]
		stack = stack[:len(stack)-1]
		if !n.b.Contains(p) {
			continue
		}
		for _, k := range n.kids {
			if n.leaf {
				if ix.boxes[k].Contains(p) {
					fn(k)
				}
			} else {
				stack = append(stack, k)
			}
		}
	}
}
