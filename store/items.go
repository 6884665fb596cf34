package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/linkexplorer/linkexplorer/internal/redact"
)

// UpsertItem records an Item, or updates the one with the same ItemID:
// fields left empty keep their stored values, and so does the access token
// when accessToken is empty (pass the new token after
// /item/access_token/invalidate). Status defaults to ItemHealthy for a new
// Item. it.AccessTokenMasked, CreatedAt and UpdatedAt are ignored.
func (s *Store) UpsertItem(ctx context.Context, it Item, accessToken string) error {
	if it.ItemID == "" {
		return errors.New("saving an Item: its item_id is required")
	}
	t := formatTime(now())
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO items
			(item_id, institution_id, institution_name, mode, status, base_url, access_token, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (item_id) DO UPDATE SET
				institution_id   = COALESCE(NULLIF(excluded.institution_id, ''), institution_id),
				institution_name = COALESCE(NULLIF(excluded.institution_name, ''), institution_name),
				mode             = COALESCE(NULLIF(excluded.mode, ''), mode),
				status           = COALESCE(NULLIF(?, ''), status),
				base_url         = COALESCE(NULLIF(excluded.base_url, ''), base_url),
				access_token     = COALESCE(NULLIF(excluded.access_token, ''), access_token),
				updated_at       = excluded.updated_at`,
			it.ItemID, it.InstitutionID, it.InstitutionName, it.Mode, cmp.Or(it.Status, ItemHealthy),
			it.BaseURL, accessToken, t, t, it.Status)
		return err
	})
	if err != nil {
		return fmt.Errorf("saving Item %s: %w", it.ItemID, err)
	}
	return nil
}

// SetItemStatus records an Item's status: ItemHealthy, ItemLoginRequired,
// ItemRemoved, or another error code. It returns ErrNotFound for an
// unknown Item.
func (s *Store) SetItemStatus(ctx context.Context, itemID, status string) error {
	if status == "" {
		return errors.New("setting an Item's status: the status is required")
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE items SET status = ?, updated_at = ? WHERE item_id = ?`,
			status, formatTime(now()), itemID)
		if err != nil {
			return err
		}
		return mustHaveChanged(res, "Item", itemID)
	})
	if err != nil {
		return fmt.Errorf("setting the status of Item %s: %w", itemID, err)
	}
	return nil
}

const itemColumns = `item_id, institution_id, institution_name, mode, status, base_url, access_token, created_at, updated_at`

// Items lists the known Items, most recently updated first, with their
// access tokens masked.
func (s *Store) Items(ctx context.Context) ([]Item, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+itemColumns+` FROM items ORDER BY updated_at DESC, item_id`)
	if err != nil {
		return nil, fmt.Errorf("listing Items: %w", err)
	}
	defer rows.Close()
	var out []Item
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, fmt.Errorf("listing Items: %w", err)
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing Items: %w", err)
	}
	return out, nil
}

// Item returns one Item, with its access token masked, or ErrNotFound.
func (s *Store) Item(ctx context.Context, itemID string) (Item, error) {
	it, err := scanItem(s.db.QueryRowContext(ctx, `SELECT `+itemColumns+` FROM items WHERE item_id = ?`, itemID))
	if err != nil {
		return Item{}, fmt.Errorf("reading Item %s: %w", itemID, err)
	}
	return it, nil
}

// AccessToken returns an Item's full access_token, for the flows to call
// Plaid with. Never display or log it. It returns ErrNotFound for an
// unknown Item.
func (s *Store) AccessToken(ctx context.Context, itemID string) (string, error) {
	var tok string
	err := s.db.QueryRowContext(ctx, `SELECT access_token FROM items WHERE item_id = ?`, itemID).Scan(&tok)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err == nil && tok == "" {
		err = fmt.Errorf("no access_token was saved: %w", ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("reading the access_token of Item %s: %w", itemID, err)
	}
	return tok, nil
}

func scanItem(sc scanner) (Item, error) {
	var it Item
	var tok, created, updated string
	err := sc.Scan(&it.ItemID, &it.InstitutionID, &it.InstitutionName, &it.Mode, &it.Status,
		&it.BaseURL, &tok, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return Item{}, ErrNotFound
	}
	if tok != "" {
		it.AccessTokenMasked = redact.Value(tok)
	}
	it.CreatedAt, it.UpdatedAt = parseTime(created), parseTime(updated)
	return it, err
}
