package api

import "context"

// User is the signed-in user of a request.
type User struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
}

// actorName is the signed-in user's name, recorded in revisions and logs.
func actorName(ctx context.Context) string {
	if u := info(ctx).user; u != nil {
		return u.Name
	}
	return ""
}

func currentUser(ctx context.Context) *User { return info(ctx).user }
