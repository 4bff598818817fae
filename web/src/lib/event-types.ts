/** The event page answer (`GET /v1/events/:id`), as far as the web app reads it. */
export interface EventPage {
  id: string;
  name: string;
  description: string | null;
  organizer_id: string;
  starts_at: string;
  on_sale_at: string;
  hold_seconds: number;
  max_per_user: number;
  kind: 'reserved' | 'general_admission' | string;
  capacity: number;
  inventory_ready: boolean;
  cancelled: boolean;
  status: 'cancelled' | 'scheduled' | 'on_sale' | 'sold_out';
  on_sale: { at: string; open: boolean; queue_opens_at: string; queue_open: boolean };
  venue: { id: string; name: string; city: string; country: string } | null;
  general_admission?: { capacity: number; price: number };
  sections?: Array<{ name: string; seats: number; price: number; price_tier: string }>;
  price_tiers?: Array<{ name: string; price: number }>;
  price_range: { min: number; max: number } | null;
  availability: { available: number; capacity: number; sold_out?: boolean; as_of?: string | null };
}
