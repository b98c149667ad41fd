package api

import "context"

const userKey ctxKey = 100

// actorName is the signed-in user's name, recorded in revisions.
func actorName(ctx context.Context) string {
	u, _ := ctx.Value(userKey).(*User)
	if u == nil {
		return ""
	}
	return u.Name
}

// User is the signed-in user of a request.
type User struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
}
